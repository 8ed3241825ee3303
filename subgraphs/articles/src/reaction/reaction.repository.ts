import { type Collection, type Db, type ObjectId } from 'mongodb';
import { ensureIndexes, isDuplicateKeyError } from '@stagelives/platform';

/** A like or a bookmark: at most one per (article, user), enforced by a unique index. */
export interface ReactionDocument {
  _id: ObjectId;
  articleId: ObjectId;
  userId: ObjectId;
  createdAt: Date;
}

export interface ReactionCursor {
  createdAt: Date;
  id: ObjectId;
}

/** The `likes` or `bookmarks` collection (same shape, same rules). */
export class ReactionRepository {
  readonly collection: Collection<ReactionDocument>;

  constructor(db: Db, readonly name: 'likes' | 'bookmarks') {
    this.collection = db.collection<ReactionDocument>(name);
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { articleId: 1, userId: 1 }, name: 'article_user_unique', unique: true },
      { key: { userId: 1, createdAt: -1, _id: -1 }, name: 'user_createdAt_id' },
    ]);
  }

  /** True when this call created the reaction; false when it already existed (idempotent). */
  async add(articleId: ObjectId, userId: ObjectId, at = new Date()): Promise<boolean> {
    try {
      await this.collection.insertOne({ articleId, userId, createdAt: at } as ReactionDocument);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** True when this call removed the reaction. */
  async remove(articleId: ObjectId, userId: ObjectId): Promise<boolean> {
    return (await this.collection.deleteOne({ articleId: { $eq: articleId }, userId: { $eq: userId } })).deletedCount === 1;
  }

  /** Reactions per article, counted from the documents themselves in one `$group`. */
  async countByArticles(ids: readonly ObjectId[]): Promise<Map<string, number>> {
    const rows = await this.collection
      .aggregate<{ _id: ObjectId; n: number }>([{ $match: { articleId: { $in: [...ids] } } }, { $group: { _id: '$articleId', n: { $sum: 1 } } }])
      .toArray();
    return new Map(rows.map((r) => [r._id.toHexString(), r.n]));
  }

  /** Which of these articles the user reacted to, in one query. */
  async articlesOf(userId: ObjectId, articleIds: readonly ObjectId[]): Promise<Set<string>> {
    const docs = await this.collection
      .find({ userId: { $eq: userId }, articleId: { $in: [...articleIds] } }, { projection: { articleId: 1 } })
      .toArray();
    return new Set(docs.map((d) => d.articleId.toHexString()));
  }

  private ofUser(userId: ObjectId, hidden: readonly ObjectId[]) {
    return hidden.length ? { userId: { $eq: userId }, articleId: { $nin: [...hidden] } } : { userId: { $eq: userId } };
  }

  /** A user's reactions, newest first, plus one extra; reactions to `hidden` articles are left out. */
  pageForUser(userId: ObjectId, limit: number, after: ReactionCursor | undefined, hidden: readonly ObjectId[] = []): Promise<ReactionDocument[]> {
    const keyset = after ? { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: { $eq: after.createdAt }, _id: { $lt: after.id } }] } : {};
    return this.collection
      .find({ ...this.ofUser(userId, hidden), ...keyset })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
  }

  countForUser(userId: ObjectId, hidden: readonly ObjectId[] = []): Promise<number> {
    return this.collection.countDocuments(this.ofUser(userId, hidden));
  }

  async deleteByArticle(articleId: ObjectId): Promise<number> {
    return (await this.collection.deleteMany({ articleId: { $eq: articleId } })).deletedCount;
  }
}
