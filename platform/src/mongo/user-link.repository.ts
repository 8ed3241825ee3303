import type { Collection, Db, Filter, ObjectId } from 'mongodb';
import { ensureIndexes } from './ensure-indexes.js';
import { oneOf, perValue } from './find-by-ids.js';
import { keysetAfter, type KeysetPosition } from './keyset.js';
import { isDuplicateKeyError } from './mongo-errors.js';

/** One link between a user and a parent: a like of a concert, a bookmark of an article, a room membership. */
export interface UserLinkDocument {
  _id: ObjectId;
  parentId: ObjectId;
  userId: ObjectId;
  createdAt: Date;
}

/**
 * At most one document per (parent, user), enforced by a unique index, and every count read
 * from those documents. FerretDB has no transactions and applies `$inc` without isolation, so
 * a stored counter loses updates under concurrent likes; a unique insert does not.
 *
 * Stored documents name the parent after its kind (`concertId`, `articleId`, `roomId`): pass
 * that field as `parentField`. The API speaks `parentId`. Every read has the parent or the user
 * as a top-level equality: an index serves it on MongoDB, and FerretDB on PostgreSQL answers it
 * in SQL from an index instead of decoding every link. `equalityReadsUpTo`: batches of up to
 * this many parents read one equality per parent (platform's equalityReadsFor).
 */
export class UserLinkRepository {
  readonly collection: Collection;

  constructor(
    db: Db,
    collectionName: string,
    private readonly parentField: string,
    private readonly equalityReadsUpTo = 0,
  ) {
    this.collection = db.collection(collectionName);
  }

  private get noun(): string {
    return this.parentField.replace(/Id$/, '');
  }

  private doc(raw: Record<string, unknown>): UserLinkDocument {
    return { _id: raw._id as ObjectId, parentId: raw[this.parentField] as ObjectId, userId: raw.userId as ObjectId, createdAt: raw.createdAt as Date };
  }

  /** Idempotent (one index per command, as FerretDB needs). */
  ensureIndexes(): Promise<void> {
    return ensureIndexes(this.collection, [
      { key: { [this.parentField]: 1, userId: 1 }, name: `${this.noun}_user_unique`, unique: true },
      { key: { userId: 1, createdAt: -1, _id: -1 }, name: 'user_createdAt_id' },
    ]);
  }

  /** True when this call created the link; false when it already existed (the unique index decides, also under races). */
  async add(parentId: ObjectId, userId: ObjectId, at = new Date()): Promise<boolean> {
    try {
      await this.collection.insertOne({ [this.parentField]: parentId, userId, createdAt: at });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** True when this call removed the link. */
  async remove(parentId: ObjectId, userId: ObjectId): Promise<boolean> {
    const { deletedCount } = await this.collection.deleteOne({ [this.parentField]: { $eq: parentId }, userId: { $eq: userId } });
    return deletedCount === 1;
  }

  /** Which of `parentIds` the user is linked to (hex ids), in one query. */
  async parentsAmong(userId: ObjectId, parentIds: readonly ObjectId[]): Promise<Set<string>> {
    if (parentIds.length === 0) return new Set();
    const docs = await this.collection
      .find({ userId: { $eq: userId }, [this.parentField]: { $in: [...parentIds] } }, { projection: { [this.parentField]: 1 } })
      .toArray();
    return new Set(docs.map((d) => (d[this.parentField] as ObjectId).toHexString()));
  }

  /** Links per parent (hex id → count), counted from the documents in one `$group` (one per parent where `$in` would scan). */
  async countByParents(parentIds: readonly ObjectId[]): Promise<Map<string, number>> {
    if (parentIds.length === 0) return new Map();
    const rows = await perValue(parentIds, this.equalityReadsUpTo, (ids) =>
      this.collection
        .aggregate<{ _id: ObjectId; n: number }>([{ $match: { [this.parentField]: oneOf(ids) } }, { $group: { _id: `$${this.parentField}`, n: { $sum: 1 } } }])
        .toArray(),
    );
    return new Map(rows.map((r) => [r._id.toHexString(), r.n]));
  }

  private ofUser(userId: ObjectId, excluded: readonly ObjectId[]): Filter<Record<string, unknown>> {
    return excluded.length ? { userId: { $eq: userId }, [this.parentField]: { $nin: [...excluded] } } : { userId: { $eq: userId } };
  }

  /** A user's links, newest first, plus one extra to tell whether more follow; links to `excluded` parents are left out. */
  async pageForUser(userId: ObjectId, limit: number, after?: KeysetPosition | null, excluded: readonly ObjectId[] = []): Promise<UserLinkDocument[]> {
    const docs = await this.collection
      .find({ ...this.ofUser(userId, excluded), $and: [keysetAfter('createdAt', -1, after)] })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
    return docs.map((d) => this.doc(d));
  }

  countForUser(userId: ObjectId, excluded: readonly ObjectId[] = []): Promise<number> {
    return this.collection.countDocuments(this.ofUser(userId, excluded));
  }

  /** The users linked to a parent, oldest link first. */
  async usersOf(parentId: ObjectId): Promise<ObjectId[]> {
    const docs = await this.collection
      .find({ [this.parentField]: { $eq: parentId } }, { projection: { userId: 1 } })
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => d.userId as ObjectId);
  }

  /** Every parent a user is linked to (e.g. the rooms of a member), oldest link first. */
  async parentsOf(userId: ObjectId): Promise<ObjectId[]> {
    const docs = await this.collection
      .find({ userId: { $eq: userId } }, { projection: { [this.parentField]: 1 } })
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => d[this.parentField] as ObjectId);
  }

  async deleteByParent(parentId: ObjectId): Promise<number> {
    return (await this.collection.deleteMany({ [this.parentField]: { $eq: parentId } })).deletedCount;
  }

  async deleteByUser(userId: ObjectId): Promise<number> {
    return (await this.collection.deleteMany({ userId: { $eq: userId } })).deletedCount;
  }
}
