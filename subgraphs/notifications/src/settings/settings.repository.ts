import { byId, estimatedCount, findByIds } from '@stagelives/platform';
import type { Collection, Db } from 'mongodb';
import { preferencesOf, type ReminderPreferences } from '../reminder/reminder.rules.js';
import { insertNew } from '../store/mongo-bulk.js';

/** A push token (`device_tokens`): the FCM registration token is the id, one owner at a time. */
export interface DeviceTokenDocument {
  _id: string;
  userId: string;
  /** A `DevicePlatform`: ANDROID, IOS or WEB. */
  platform: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Saved preferences, keyed by user id (hex) (`notification_preferences`). */
export interface PreferencesDocument extends Partial<ReminderPreferences> {
  _id: string;
  updatedAt?: Date;
}

/** A deleted account (`deleted_users`), written on `user.deleted`: scheduling and sending skip it. */
export interface DeletedUserDocument {
  _id: string;
  deletedAt: Date;
}

export const DEVICE_TOKENS_COLLECTION = 'device_tokens';
export const NOTIFICATION_PREFERENCES_COLLECTION = 'notification_preferences';
export const DELETED_USERS_COLLECTION = 'deleted_users';

/** Above this many users, one read of the whole (small) collection beats `$in` chunks that each scan it on FerretDB. */
const READ_ALL_ABOVE = 1000;

/**
 * A user's delivery settings: device tokens and reminder preferences, and the accounts deleted.
 * The only code that opens these collections: the subgraph writes them (`registerDevice`,
 * `updateNotificationPreferences`, `user.deleted`), the workers read them on every push and
 * remove a token FCM reported as unregistered or invalid (unless it was registered again since).
 */
export class SettingsRepository {
  readonly devices: Collection<DeviceTokenDocument>;
  readonly preferences: Collection<PreferencesDocument>;
  readonly deletedUsers: Collection<DeletedUserDocument>;

  constructor(db: Db) {
    this.devices = db.collection<DeviceTokenDocument>(DEVICE_TOKENS_COLLECTION);
    this.preferences = db.collection<PreferencesDocument>(NOTIFICATION_PREFERENCES_COLLECTION);
    this.deletedUsers = db.collection<DeletedUserDocument>(DELETED_USERS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.devices.createIndex({ userId: 1 }, { name: 'userId' });
  }

  /**
   * Every device, preference and deleted account at once, for an in-memory snapshot; null when
   * devices or preferences hold more than `max` documents (by the server's estimate).
   */
  async everything(max: number): Promise<{ devices: DeviceTokenDocument[]; preferences: PreferencesDocument[]; deleted: DeletedUserDocument[] } | null> {
    if ((await estimatedCount(this.devices)) > max || (await estimatedCount(this.preferences)) > max) return null;
    const [devices, preferences, deleted] = await Promise.all([
      this.devices.find({}).toArray(),
      this.preferences.find({}).toArray(),
      this.deletedUsers.find({}).toArray(),
    ]);
    return { devices, preferences, deleted };
  }

  /** Registers a token for a user; a token registered by someone else moves to this user. */
  async registerDevice(userId: string, token: string, platform: string, now = new Date()): Promise<void> {
    await this.devices.updateOne(byId(token), { $set: { userId, platform, updatedAt: now }, $setOnInsert: { createdAt: now } }, { upsert: true });
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
  async savePreferences(userId: string, preferences: ReminderPreferences, now = new Date()): Promise<void> {
    const { ticketOpen, concertStart, ticketOpenLeadMinutes, concertStartLeadMinutes } = preferences;
    await this.preferences.updateOne(
      byId(userId),
      { $set: { ticketOpen, concertStart, ticketOpenLeadMinutes, concertStartLeadMinutes, updatedAt: now } },
      { upsert: true },
    );
  }

  /**
   * Forgets a deleted account's devices and preferences, after leaving the marker scheduling and
   * sending check (its likes stay in the concerts domain, and without preferences the defaults
   * would apply again). Idempotent.
   */
  async deleteByUser(userId: string, now = new Date()): Promise<void> {
    await this.markDeleted(userId, now);
    await this.devices.deleteMany({ userId: { $eq: userId } });
    await this.preferences.deleteOne(byId(userId));
  }

  /** Each user's devices (every given user has an entry, possibly empty). */
  async devicesOf(userIds: readonly string[]): Promise<Map<string, DeviceTokenDocument[]>> {
    const users = [...new Set(userIds)];
    const devices = new Map<string, DeviceTokenDocument[]>(users.map((u) => [u, []]));
    if (users.length === 0) return devices;
    const filter = users.length === 1 ? { userId: { $eq: users[0]! } } : users.length > READ_ALL_ABOVE ? {} : { userId: { $in: users } };
    for (const doc of await this.devices.find(filter).toArray()) devices.get(doc.userId)?.push(doc);
    return devices;
  }

  /** Each user's preferences, the defaults where none were saved (every given user has an entry). */
  async preferencesOf(userIds: readonly string[]): Promise<Map<string, ReminderPreferences>> {
    const users = [...new Set(userIds)];
    const docs = users.length > READ_ALL_ABOVE ? await this.preferences.find({}).toArray() : await findByIds(this.preferences, users);
    const stored = new Map(docs.map((d) => [d._id, d]));
    return new Map(users.map((u) => [u, preferencesOf(stored.get(u))]));
  }

  /** Which of these users deleted their account. */
  async deletedAmong(userIds: readonly string[]): Promise<Set<string>> {
    const users = [...new Set(userIds)];
    const docs = users.length > READ_ALL_ABOVE ? await this.deletedUsers.find({}).toArray() : await findByIds(this.deletedUsers, users);
    const wanted = new Set(users);
    return new Set(docs.map((d) => d._id).filter((id) => wanted.has(id)));
  }

  /** Records a deleted account (idempotent). */
  async markDeleted(userId: string, now = new Date()): Promise<void> {
    await insertNew(this.deletedUsers, [{ _id: userId, deletedAt: now }]);
  }

  /**
   * Removes tokens FCM refused for good, each only while it still belongs to the same user and
   * was not registered again after `notAfter` (the time it was read for the push).
   */
  async removeTokens(tokens: ReadonlyArray<{ token: string; userId: string; notAfter: Date }>): Promise<number> {
    if (tokens.length === 0) return 0;
    const { deletedCount } = await this.devices.deleteMany({
      $or: tokens.map((t) => ({ _id: { $eq: t.token }, userId: { $eq: t.userId }, updatedAt: { $lte: t.notAfter } })),
    });
    return deletedCount;
  }
}
