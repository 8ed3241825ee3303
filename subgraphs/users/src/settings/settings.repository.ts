import type { Collection, Db } from 'mongodb';

export type DevicePlatform = 'ANDROID' | 'IOS' | 'WEB';

export interface DeviceTokenDocument {
  /** The FCM registration token itself: one owner at a time. */
  _id: string;
  userId: string;
  platform: DevicePlatform;
  createdAt: Date;
  updatedAt: Date;
}

export interface NotificationPreferences {
  ticketOpen: boolean;
  concertStart: boolean;
  /** Minutes before ticket sales open to remind. */
  ticketOpenLeadMinutes: number;
  /** Minutes before the show starts to remind. */
  concertStartLeadMinutes: number;
}

export const DEFAULT_NOTIFICATION_PREFERENCES: NotificationPreferences = {
  ticketOpen: true,
  concertStart: true,
  ticketOpenLeadMinutes: 60,
  concertStartLeadMinutes: 120,
};

interface PreferencesDocument extends NotificationPreferences {
  _id: string;
  updatedAt: Date;
}

/**
 * Device tokens and notification preferences, in the notifications database: the users
 * domain writes them (account settings), the notifications workers read them.
 */
export class NotificationSettingsRepository {
  readonly devices: Collection<DeviceTokenDocument>;
  readonly preferences: Collection<PreferencesDocument>;

  constructor(db: Db) {
    this.devices = db.collection<DeviceTokenDocument>('device_tokens');
    this.preferences = db.collection<PreferencesDocument>('notification_preferences');
  }

  async ensureIndexes(): Promise<void> {
    await this.devices.createIndex({ userId: 1 }, { name: 'userId' });
  }

  /** Registers a token for a user; a token registered by someone else moves to this user. */
  async registerDevice(userId: string, token: string, platform: DevicePlatform, now = new Date()): Promise<void> {
    await this.devices.updateOne(
      { _id: { $eq: token } },
      { $set: { userId, platform, updatedAt: now }, $setOnInsert: { createdAt: now } },
      { upsert: true },
    );
  }

  /** Removes a token only if it belongs to the user. */
  async unregisterDevice(userId: string, token: string): Promise<boolean> {
    const { deletedCount } = await this.devices.deleteOne({ _id: { $eq: token }, userId: { $eq: userId } });
    return deletedCount === 1;
  }

  devicesOf(userIds: readonly string[]): Promise<DeviceTokenDocument[]> {
    return this.devices.find({ userId: { $in: [...userIds] } }).toArray();
  }

  async preferencesOf(userIds: readonly string[]): Promise<Map<string, NotificationPreferences>> {
    const docs = await this.preferences.find({ _id: { $in: [...userIds] } }).toArray();
    const found = new Map(docs.map(({ _id, updatedAt: _u, ...prefs }) => [_id, prefs]));
    return new Map(userIds.map((id) => [id, found.get(id) ?? DEFAULT_NOTIFICATION_PREFERENCES]));
  }

  async updatePreferences(userId: string, changes: Partial<NotificationPreferences>, now = new Date()): Promise<NotificationPreferences> {
    const current = (await this.preferencesOf([userId])).get(userId) ?? DEFAULT_NOTIFICATION_PREFERENCES;
    const next = { ...current, ...changes };
    await this.preferences.updateOne({ _id: { $eq: userId } }, { $set: { ...next, updatedAt: now } }, { upsert: true });
    return next;
  }

  /** Forgets everything about a user (account deletion). */
  async deleteUser(userId: string): Promise<void> {
    await this.devices.deleteMany({ userId: { $eq: userId } });
    await this.preferences.deleteOne({ _id: { $eq: userId } });
  }
}
