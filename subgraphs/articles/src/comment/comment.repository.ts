import type { Collection, Db, ObjectId } from 'mongodb';
import { moderationUpdate, visibleFilter } from '../content/visibility.js';
import { byId, ensureIndexes, keysetAfter, oneOf, perValue, type KeysetPosition } from '@stagelives/platform';
import type { CommentDocument } from './comment.type.js';

export interface CommentQuery {
  articleId: ObjectId;
  /** Who reads: their own hidden comments are included (hidden ones of others never are). */
  viewerId?: ObjectId | null;
}

/**
 * The `comments` collection. Reads of an article's comments have `articleId` as a top-level
 * equality (the rest under `$and`): the `article_createdAt_id` index serves it on MongoDB, and
 * FerretDB on PostgreSQL answers it in SQL from an index instead of decoding every comment.
 */
export class CommentRepository {
  readonly collection: Collection<CommentDocument>;

  /** `equalityReadsUpTo`: batches of up to this many articles read one equality per article (platform's equalityReadsFor). */
  constructor(
    db: Db,
    private readonly equalityReadsUpTo = 0,
  ) {
    this.collection = db.collection<CommentDocument>('comments');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [{ key: { articleId: 1, createdAt: 1, _id: 1 }, name: 'article_createdAt_id' }]);
  }

  async insert(doc: Omit<CommentDocument, '_id'>): Promise<CommentDocument> {
    const { insertedId } = await this.collection.insertOne(doc as CommentDocument);
    return { ...doc, _id: insertedId };
  }

  findById(id: ObjectId): Promise<CommentDocument | null> {
    return this.collection.findOne(byId(id));
  }

  /** One page of an article's comments, oldest first (ties by id), plus one extra to tell whether more follow. */
  page(query: CommentQuery, limit: number, after?: KeysetPosition | null): Promise<CommentDocument[]> {
    return this.collection
      .find({
        articleId: { $eq: query.articleId },
        $and: [visibleFilter<CommentDocument>(query.viewerId), keysetAfter<CommentDocument>('createdAt', 1, after)],
      })
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit + 1)
      .toArray();
  }

  /**
   * Comments per article (hex id → count) that `viewerId` sees, in one `$group` for the whole
   * batch, or one per article where `$in` would scan (`equalityReadsUpTo`).
   */
  async countByParents(articleIds: readonly ObjectId[], viewerId: ObjectId | null = null): Promise<Map<string, number>> {
    if (articleIds.length === 0) return new Map();
    const rows = await perValue(articleIds, this.equalityReadsUpTo, (ids) =>
      this.collection
        .aggregate<{ _id: ObjectId; n: number }>([
          { $match: { articleId: oneOf(ids), ...visibleFilter<CommentDocument>(viewerId) } },
          { $group: { _id: '$articleId', n: { $sum: 1 } } },
        ])
        .toArray(),
    );
    return new Map(rows.map((r) => [r._id.toHexString(), r.n]));
  }

  /** Applies a moderation decision taken at `at` unless a newer one was; the comment (after) when applied, else null. */
  applyModeration(id: ObjectId, hidden: boolean, reason: string | null, at: Date): Promise<CommentDocument | null> {
    const { newer, update } = moderationUpdate<CommentDocument>(hidden, reason, at);
    return this.collection.findOneAndUpdate({ _id: id, $and: [newer] }, update, { returnDocument: 'after' });
  }

  updateBody(id: ObjectId, body: string, at: Date): Promise<CommentDocument | null> {
    return this.collection.findOneAndUpdate({ _id: id }, { $set: { body, updatedAt: at } }, { returnDocument: 'after' });
  }

  async delete(id: ObjectId): Promise<boolean> {
    return (await this.collection.deleteOne({ _id: id })).deletedCount === 1;
  }

  async deleteByArticle(articleId: ObjectId): Promise<number> {
    return (await this.collection.deleteMany({ articleId: { $eq: articleId } })).deletedCount;
  }
}
