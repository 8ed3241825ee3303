import { escapeRegExp } from '@stagelives/schema';
import { ensureIndexes } from '@stagelives/platform';
import type { Collection, Db, Filter, ObjectId } from 'mongodb';
import type { ArticleDocument } from './article.type.js';

export interface ArticleQuery {
  concertId?: ObjectId;
  authorId?: ObjectId;
  /** A normalised tag. */
  tag?: string;
  /** Words that must all occur in the title or the body text. */
  words?: string[];
}

/** Sort key of article lists: newest first, ties by id. */
export interface ArticleCursor {
  createdAt: Date;
  id: ObjectId;
}

/** Escapes user text so it matches literally inside a regular expression (PCRE and RE2). */

/** Articles not being deleted. */
const VISIBLE: Filter<ArticleDocument> = { deletedAt: { $exists: false } };

/** The `articles` collection; the only code that talks to it. */
export class ArticleRepository {
  readonly collection: Collection<ArticleDocument>;

  /** `textSearch`: use `$text` over a text index (MongoDB); otherwise escaped regexes (FerretDB). */
  constructor(db: Db, private readonly textSearch: boolean) {
    this.collection = db.collection<ArticleDocument>('articles');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { createdAt: -1, _id: -1 }, name: 'createdAt_id' },
      { key: { concertId: 1, createdAt: -1, _id: -1 }, name: 'concert_createdAt_id' },
      { key: { authorId: 1, createdAt: -1, _id: -1 }, name: 'author_createdAt_id' },
      { key: { tags: 1, createdAt: -1, _id: -1 }, name: 'tags_createdAt_id' },
      { key: { deletedAt: 1 }, name: 'deletedAt_sparse', sparse: true },
    ]);
    if (this.textSearch) {
      await this.collection.createIndex({ title: 'text', bodyText: 'text' }, { name: 'title_body_text', weights: { title: 3, bodyText: 1 } });
    }
  }

  async insert(doc: Omit<ArticleDocument, '_id'>): Promise<ArticleDocument> {
    const { insertedId } = await this.collection.insertOne(doc as ArticleDocument);
    return { ...doc, _id: insertedId };
  }

  findVisibleByIds(ids: readonly ObjectId[]): Promise<ArticleDocument[]> {
    return this.collection.find({ _id: { $in: [...ids] }, ...VISIBLE }).toArray();
  }

  /** The filter of a query; exported for tests of the `$text` form, which FerretDB cannot run. */
  filterOf(query: ArticleQuery): Filter<ArticleDocument> {
    const and: Filter<ArticleDocument>[] = [VISIBLE];
    if (query.concertId) and.push({ concertId: { $eq: query.concertId } });
    if (query.authorId) and.push({ authorId: { $eq: query.authorId } });
    if (query.tag) and.push({ tags: { $eq: query.tag } });
    if (query.words?.length) {
      if (this.textSearch) {
        // Each word as a quoted phrase: MongoDB ANDs phrases, as the fallback does. Quotes and
        // backslashes would change the $search syntax, so they are dropped from user words.
        const phrases = query.words.map((w) => w.replace(/["\\]/g, '')).filter(Boolean);
        if (phrases.length) and.unshift({ $text: { $search: phrases.map((p) => `"${p}"`).join(' ') } });
      } else {
        for (const word of query.words) {
          const re = { $regex: escapeRegExp(word), $options: 'i' };
          and.push({ $or: [{ title: re }, { bodyText: re }] });
        }
      }
    }
    return { $and: and };
  }

  /** One page in (createdAt, _id) descending order, plus one extra to tell whether more follow. */
  page(query: ArticleQuery, limit: number, after?: ArticleCursor): Promise<ArticleDocument[]> {
    const filter = this.filterOf(query);
    if (after) {
      (filter.$and as Filter<ArticleDocument>[]).push({
        $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: { $eq: after.createdAt }, _id: { $lt: after.id } }],
      });
    }
    return this.collection.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit + 1).toArray();
  }

  count(query: ArticleQuery): Promise<number> {
    return this.collection.countDocuments(this.filterOf(query));
  }

  /** Applies `set` to a visible article; returns the updated document or null. */
  update(id: ObjectId, set: Partial<Omit<ArticleDocument, '_id'>>): Promise<ArticleDocument | null> {
    return this.collection.findOneAndUpdate({ _id: id, ...VISIBLE }, { $set: set }, { returnDocument: 'after' });
  }

  /** Step 1 of a delete: hides the article. False when it was already gone or being deleted. */
  async markDeleted(id: ObjectId, at = new Date()): Promise<boolean> {
    const res = await this.collection.updateOne({ _id: id, ...VISIBLE }, { $set: { deletedAt: at } });
    return res.modifiedCount === 1;
  }

  /** Last step of a delete: removes the hidden article itself. */
  async removeDeleted(id: ObjectId): Promise<void> {
    await this.collection.deleteOne({ _id: id, deletedAt: { $exists: true } });
  }

  /** Ids of articles whose delete started but may not have finished. */
  async deletedIds(): Promise<ObjectId[]> {
    const docs = await this.collection.find({ deletedAt: { $exists: true } }, { projection: { _id: 1 } }).toArray();
    return docs.map((d) => d._id);
  }
}
