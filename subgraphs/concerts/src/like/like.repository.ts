import { type Collection, type Db, type ObjectId } from 'mongodb';
import { ensureIndexes, isDuplicateKeyError } from '@stagelives/platform';

export interface LikeDocument {
  _id: ObjectId;
  concertId: ObjectId;
  userId: ObjectId;
  createdAt: Date;
}

/** The `likes` collection: one document per (concert, user), enforced by a unique index. */
export class LikeRepository {
  readonly collection: Collection<LikeDocument>;

  constructor(db: Db) {
    this.collection = db.collection<LikeDocument>('likes');
  }

  /** Idempotent (one index per command, as FerretDB needs). */
  ensureIndexes(): Promise<void> {
    return ensureIndexes(this.collection, [
      { key: { concertId: 1, userId: 1 }, name: 'concert_user_unique', unique: true },
      { key: { userId: 1, _id: -1 }, name: 'user_id' },
    ]);
  }

  /** Inserts the like; false when it already existed (the unique index decides, also under races). */
  async add(concertId: ObjectId, userId: ObjectId, now: Date): Promise<boolean> {
    try {
      await this.collection.insertOne({ concertId, userId, createdAt: now } as LikeDocument);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Deletes the like; false when there was none. */
  async remove(concertId: ObjectId, userId: ObjectId): Promise<boolean> {
    const { deletedCount } = await this.collection.deleteOne({ concertId: { $eq: concertId }, userId: { $eq: userId } });
    return deletedCount === 1;
  }

  /** Which of `concertIds` the user likes, in one query. */
  async likedAmong(userId: ObjectId, concertIds: readonly ObjectId[]): Promise<ObjectId[]> {
    const docs = await this.collection
      .find({ userId: { $eq: userId }, concertId: { $in: [...concertIds] } }, { projection: { concertId: 1 } })
      .toArray();
    return docs.map((d) => d.concertId);
  }

  /** A user's likes, newest first, plus one extra to tell whether more follow. */
  pageByUser(userId: ObjectId, limit: number, before?: ObjectId): Promise<LikeDocument[]> {
    const where = before ? { userId: { $eq: userId }, _id: { $lt: before } } : { userId: { $eq: userId } };
    return this.collection.find(where).sort({ _id: -1 }).limit(limit + 1).toArray();
  }

  /** Like counts of many concerts in one aggregation (the unique index covers the match). */
  async countByConcerts(concertIds: readonly ObjectId[]): Promise<Map<string, number>> {
    const rows = await this.collection
      .aggregate<{ _id: ObjectId; n: number }>([{ $match: { concertId: { $in: [...concertIds] } } }, { $group: { _id: '$concertId', n: { $sum: 1 } } }])
      .toArray();
    return new Map(rows.map((r) => [r._id.toHexString(), r.n]));
  }

  countByUser(userId: ObjectId): Promise<number> {
    return this.collection.countDocuments({ userId: { $eq: userId } });
  }

  async deleteByConcert(concertId: ObjectId): Promise<number> {
    const { deletedCount } = await this.collection.deleteMany({ concertId: { $eq: concertId } });
    return deletedCount;
  }
}
