import type { Collection, Db } from 'mongodb';
import { byId } from '@stagelives/platform';
import type { DevicePlatform, DeviceTokenDocument, NotificationPreferences, PreferencesDocument } from './settings.type.js';

/**
 * Device tokens and notification preferences, in the notifications database: the users
 * domain writes them (account settings), the notifications domain reads them.
 */
export class SettingsRepository {
  readonly devices: Collection<DeviceTokenDocument>;
  readonly preferences: Collection<PreferencesDocument>;
  /** Deleted accounts: `{ _id: userId, deletedAt }` (read by the notifications domain). */
  readonly deletedUsers: Collection<{ _id: string; deletedAt: Date }>;

  constructor(db: Db) {
    this.devices = db.collection<DeviceTokenDocument>('device_tokens');
    this.preferences = db.collection<PreferencesDocument>('notification_preferences');
    this.deletedUsers = db.collection<{ _id: string; deletedAt: Date }>('deleted_users');
  }

  async ensureIndexes(): Promise<void> {
    await this.devices.createIndex({ userId: 1 }, { name: 'userId' });
  }

  /** Registers a token for a user; a token registered by someone else moves to this user. */
  async registerDevice(userId: string, token: string, platform: DevicePlatform, now = new Date()): Promise<void> {
    await this.devices.updateOne(
      byId(token),
      { $set: { userId, platform, updatedAt: now }, $setOnInsert: { createdAt: now } },
      { upsert: true },
    );
  }

  /** Removes a token only if it belongs to the user; whether one was removed. */
  async unregisterDevice(userId: string, token: string): Promise<boolean> {
    const { deletedCount } = await this.devices.deleteOne({ _id: { $eq: token }, userId: { $eq: userId } });
    return deletedCount === 1;
  }

  /** The stored preferences of these users (users who never saved any have none). */
  findPreferencesByUserIds(userIds: readonly string[]): Promise<PreferencesDocument[]> {
    return this.preferences.find({ _id: { $in: [...userIds] } }).toArray();
  }

  /** Stores a user's whole preferences. */
  async savePreferences(userId: string, preferences: NotificationPreferences, now = new Date()): Promise<void> {
    const { ticketOpen, concertStart, ticketOpenLeadMinutes, concertStartLeadMinutes } = preferences;
    await this.preferences.updateOne(
      byId(userId),
      { $set: { ticketOpen, concertStart, ticketOpenLeadMinutes, concertStartLeadMinutes, updatedAt: now } },
      { upsert: true },
    );
  }

  /**
   * Forgets everything about a user (account deletion), and leaves the marker the notifications
   * domain checks before scheduling or sending (`deleted_users`, keyed by user id): their likes
   * stay in the concerts domain, and without preferences the defaults would apply again.
   */
  async deleteByUser(userId: string, now = new Date()): Promise<void> {
    await this.deletedUsers.updateOne(byId(userId), { $setOnInsert: { deletedAt: now } }, { upsert: true });
    await this.devices.deleteMany({ userId: { $eq: userId } });
    await this.preferences.deleteOne(byId(userId));
  }
}
