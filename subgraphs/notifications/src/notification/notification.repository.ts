import { ensureIndexes, expiryIndex, keysetAfter, type KeysetPosition, findByIds } from '@stagelives/platform';
import type { Collection, Db, ObjectId } from 'mongodb';
import { insertNew } from '../store/mongo-bulk.js';
import type { NotificationDocument, NotificationReadDocument } from './notification.type.js';

export const NOTIFICATIONS_COLLECTION = 'notifications';
export const NOTIFICATION_READS_COLLECTION = 'notification_reads';

/**
 * In-app notifications (`notifications`) and which were read (`notification_reads`). Both are
 * insert-only: a notification per reminder (its id), a read mark per notification (its id), so
 * marking read counts exactly what changed even when two requests race (the unique `_id`
 * decides), and no update has to scan on FerretDB.
 */
export class NotificationRepository {
  readonly notifications: Collection<NotificationDocument>;
  readonly reads: Collection<NotificationReadDocument>;

  constructor(db: Db) {
    this.notifications = db.collection<NotificationDocument>(NOTIFICATIONS_COLLECTION);
    this.reads = db.collection<NotificationReadDocument>(NOTIFICATION_READS_COLLECTION);
  }

  /** Idempotent. `ttl`: the server has TTL indexes (MongoDB), which then prune by `expireAt` too. */
  async ensureIndexes(ttl: boolean): Promise<void> {
    const expiry = expiryIndex(ttl);
    await ensureIndexes(this.notifications, [{ key: { userId: 1, createdAt: -1, _id: -1 }, name: 'user_createdAt_id' }, expiry]);
    await ensureIndexes(this.reads, [{ key: { userId: 1 }, name: 'userId' }, expiry]);
  }

  /** Inserts the notifications not stored yet; returns the hex ids this call inserted. */
  async insert(docs: readonly NotificationDocument[]): Promise<Set<string>> {
    const inserted = await insertNew(this.notifications, docs);
    return new Set([...inserted].map((i) => docs[i]!._id.toHexString()));
  }

  /** Which of these notifications exist (hex ids). */
  async existing(ids: readonly ObjectId[]): Promise<Set<string>> {
    const docs = await findByIds(this.notifications, ids, { projection: { _id: 1 } });
    return new Set(docs.map((d) => d._id.toHexString()));
  }

  /** The user's own notifications among `ids` (others' and unknown ids are left out). */
  async findOwn(userId: string, ids: readonly ObjectId[]): Promise<NotificationDocument[]> {
    const docs = await findByIds(this.notifications, ids);
    return docs.filter((d) => d.userId === userId);
  }

  /** A user's notifications newest first, strictly after `after`, plus one to tell whether more follow. */
  page(userId: string, limit: number, after?: KeysetPosition | null): Promise<NotificationDocument[]> {
    return this.notifications
      .find({ $and: [{ userId: { $eq: userId } }, keysetAfter<NotificationDocument>('createdAt', -1, after)] })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
  }

  count(userId: string): Promise<number> {
    return this.notifications.countDocuments({ userId: { $eq: userId } });
  }

  /** Read marks of a user (each is of one of their notifications). */
  countReads(userId: string): Promise<number> {
    return this.reads.countDocuments({ userId: { $eq: userId } });
  }

  /** When each of these notifications was read (hex id → time); unread ones are absent. */
  async readsOf(ids: readonly ObjectId[]): Promise<Map<string, Date>> {
    const docs = await findByIds(this.reads, ids);
    return new Map(docs.map((d) => [d._id.toHexString(), d.readAt]));
  }

  /**
   * Marks the user's notifications among `ids` (all of them when null) read; returns how many
   * this call changed (ids of others, unknown ids and ones already read do not count).
   */
  async markRead(userId: string, ids: readonly ObjectId[] | null, now = new Date()): Promise<number> {
    const own =
      ids === null
        ? await this.notifications.find({ userId: { $eq: userId } }, { projection: { _id: 1, userId: 1, expireAt: 1 } }).toArray()
        : (await findByIds(this.notifications, ids, { projection: { _id: 1, userId: 1, expireAt: 1 } })).filter((d) => d.userId === userId);
    if (own.length === 0) return 0;
    const inserted = await insertNew(
      this.reads,
      own.map((d) => ({ _id: d._id, userId, readAt: now, expireAt: d.expireAt })),
    );
    return inserted.size;
  }

  /** Account deletion. */
  async deleteByUser(userId: string): Promise<number> {
    const { deletedCount } = await this.notifications.deleteMany({ userId: { $eq: userId } });
    await this.reads.deleteMany({ userId: { $eq: userId } });
    return deletedCount;
  }

  /** Deletes expired notifications and their read marks (same expiry); returns how many notifications. */
  async pruneExpired(now = new Date()): Promise<number> {
    const { deletedCount } = await this.notifications.deleteMany({ expireAt: { $lt: now } });
    await this.reads.deleteMany({ expireAt: { $lt: now } });
    return deletedCount;
  }
}
