import { escapeRegExp } from '@stagelives/schema';
import { ensureIndexes, findByIds, keysetAfter, oneOf, perValue, type KeysetPosition } from '@stagelives/platform';
import type { Collection, Db, Filter, ObjectId } from 'mongodb';
import { moderationUpdate, visibleFilter } from '../content/visibility.js';
import type { ArticleDocument } from './article.type.js';

export interface ArticleQuery {
  concertId?: ObjectId;
  authorId?: ObjectId;
  /** A normalised tag. */
  tag?: string;
  /** Words that must all occur in the title or the body text. */
  words?: string[];
  /** Who reads: their own hidden articles are included (hidden ones of others never are). */
  viewerId?: ObjectId | null;
}

/** One article of a concert's first page: its sort key, and its document unless it vanished. */
interface ConcertPageRow {
  _id: ObjectId;
  createdAt: Date;
  /** Null when the article vanished between the two reads, and for the extra row (never read). */
  doc: ArticleDocument | null;
}

/** The first page of one concert's articles, read with many others by `firstPagesByConcerts`. */
export interface ConcertFirstPage {
  concertId: ObjectId;
  /** Visible articles of the concert. */
  count: number;
  /** Its newest `limit + 1` articles, newest first: the documents of the first `limit`, the extra one only tells that more follow. */
  rows: ConcertPageRow[];
}

/** Sort keys one `firstPagesByConcerts` scan returns in its first batch (about 6 MB of keys; the server's 16 MB cap is the other bound). */
const KEY_SCAN_BATCH = 100_000;

/** Articles not being deleted. */
const VISIBLE: Filter<ArticleDocument> = { deletedAt: { $exists: false } };

/**
 * The `articles` collection; the only code that talks to it. Every read skips articles being
 * deleted; lists and counts skip hidden articles except the viewer's own; `findByIds` returns
 * hidden ones too (the loader decides who sees them). The equality a list selects by (concert,
 * author, tag) is a top-level field of the filter, the rest under `$and`: the matching index
 * serves it on MongoDB, and FerretDB on PostgreSQL answers it in SQL from an index instead of
 * decoding every article (it pushes down top-level equalities only).
 */
export class ArticleRepository {
  readonly collection: Collection<ArticleDocument>;

  /**
   * @param textSearch use `$text` over a text index (MongoDB); otherwise escaped regexes (FerretDB).
   * @param pointReadsUpTo ids `findByIds` reads one by one (platform's pointReadsFor).
   * @param equalityReadsUpTo batches of up to this many concerts read one equality per concert (platform's equalityReadsFor).
   */
  constructor(
    db: Db,
    private readonly textSearch: boolean,
    private readonly pointReadsUpTo = 0,
    private readonly equalityReadsUpTo = 0,
  ) {
    this.collection = db.collection<ArticleDocument>('articles');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { createdAt: -1, _id: -1 }, name: 'createdAt_id' },
      { key: { concertId: 1, createdAt: -1, _id: -1 }, name: 'concert_createdAt_id' },
      { key: { authorId: 1, createdAt: -1, _id: -1 }, name: 'author_createdAt_id' },
      { key: { tags: 1, createdAt: -1, _id: -1 }, name: 'tags_createdAt_id' },
      { key: { deletedAt: 1 }, name: 'deletedAt_sparse', sparse: true },
      { key: { hiddenAt: 1 }, name: 'hiddenAt_sparse', sparse: true },
    ]);
    if (this.textSearch) {
      await this.collection.createIndex({ title: 'text', bodyText: 'text' }, { name: 'title_body_text', weights: { title: 3, bodyText: 1 } });
    }
  }

  async insert(doc: Omit<ArticleDocument, '_id'>): Promise<ArticleDocument> {
    const { insertedId } = await this.collection.insertOne(doc as ArticleDocument);
    return { ...doc, _id: insertedId };
  }

  /** A visible article, read now (never from a request cache): what the delete guard checks. */
  async findById(id: ObjectId): Promise<ArticleDocument | null> {
    const [doc] = await this.findByIds([id]);
    return doc ?? null;
  }

  /**
   * Visible articles by id, in one round trip (not 101 documents then a `getMore`) as long as they
   * fit in 16 MB, or by point reads (`pointReadsUpTo`). The `_id` alone is the filter (the only one
   * FerretDB answers from its primary key); articles being deleted are left out here.
   */
  async findByIds(ids: readonly ObjectId[]): Promise<ArticleDocument[]> {
    const docs = await findByIds(this.collection, ids, { batchSize: ids.length + 1 }, this.pointReadsUpTo);
    return docs.filter((doc) => doc.deletedAt === undefined);
  }

  /** The filter of a query; exported for tests of the `$text` form, which FerretDB cannot run. */
  filterOf(query: ArticleQuery): Filter<ArticleDocument> {
    const and: Filter<ArticleDocument>[] = [VISIBLE, visibleFilter<ArticleDocument>(query.viewerId)];
    const equal: Filter<ArticleDocument> = {};
    if (query.concertId) equal.concertId = { $eq: query.concertId };
    if (query.authorId) equal.authorId = { $eq: query.authorId };
    if (query.tag) equal.tags = { $eq: query.tag };
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
    return { ...equal, $and: and };
  }

  /** One page in (createdAt, _id) descending order, plus one extra to tell whether more follow. */
  page(query: ArticleQuery, limit: number, after?: KeysetPosition | null): Promise<ArticleDocument[]> {
    const filter = this.filterOf(query);
    if (after) (filter.$and as Filter<ArticleDocument>[]).push(keysetAfter<ArticleDocument>('createdAt', -1, after));
    return this.collection
      .find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
  }

  count(query: ArticleQuery): Promise<number> {
    return this.collection.countDocuments(this.filterOf(query));
  }

  /**
   * Visible articles per concert (hex id → count), in one `$group` for the whole batch, or one
   * per concert where `$in` would scan (`equalityReadsUpTo`).
   */
  async countByConcerts(concertIds: readonly ObjectId[], viewerId: ObjectId | null = null): Promise<Map<string, number>> {
    if (concertIds.length === 0) return new Map();
    const rows = await perValue(concertIds, this.equalityReadsUpTo, (ids) =>
      this.collection
        .aggregate<{ _id: ObjectId; n: number }>([
          { $match: { concertId: oneOf(ids), $and: [VISIBLE, visibleFilter<ArticleDocument>(viewerId)] } },
          { $group: { _id: '$concertId', n: { $sum: 1 } } },
        ])
        .toArray(),
    );
    return new Map(rows.map((r) => [r._id.toHexString(), r.n]));
  }

  /**
   * The first page (newest `limit`, plus one to tell whether more follow) and the count of
   * several concerts, in two commands whatever their number (where `$in` would scan: one find per
   * concert in step 1, `equalityReadsUpTo`, and point reads in step 2). FerretDB 1.24 has no way
   * to cut a page per group in one command (`$push`, `$first`, `$topN`, `$slice`,
   * `$setWindowFields`, `$facet` and `$lookup` are all unimplemented), so:
   *
   * 1. one find of the sort keys only (`_id`, `concertId`, `createdAt`) of every visible article
   *    of these concerts, in the order of the `concert_createdAt_id` index; counted and cut to
   *    `limit + 1` per concert here. It reads the same articles as a count would, but ships
   *    three small fields of each, in one batch up to 100,000 articles;
   * 2. one find by `_id` of the documents of the first `limit` of each concert: full documents
   *    are read for at most `limit` articles per concert, never more.
   *
   * Concerts without visible articles are absent from the result.
   */
  async firstPagesByConcerts(concertIds: readonly ObjectId[], limit: number, viewerId: ObjectId | null = null): Promise<ConcertFirstPage[]> {
    if (concertIds.length === 0) return [];
    const keys = await perValue(concertIds, this.equalityReadsUpTo, (ids) =>
      this.collection
        .find({ concertId: oneOf(ids), $and: [VISIBLE, visibleFilter<ArticleDocument>(viewerId)] }, { projection: { _id: 1, concertId: 1, createdAt: 1 } })
        .sort({ concertId: 1, createdAt: -1, _id: -1 })
        .batchSize(KEY_SCAN_BATCH)
        .toArray(),
    );
    const pages = new Map<string, ConcertFirstPage>();
    for (const key of keys) {
      const concertId = key.concertId as ObjectId;
      const hex = concertId.toHexString();
      let page = pages.get(hex);
      if (!page) pages.set(hex, (page = { concertId, count: 0, rows: [] }));
      page.count += 1;
      if (page.rows.length <= limit) page.rows.push({ _id: key._id, createdAt: key.createdAt, doc: null });
    }
    const wanted = [...pages.values()].flatMap((p) => p.rows.slice(0, limit));
    if (wanted.length > 0) {
      const docs = new Map((await this.findByIds(wanted.map((r) => r._id))).map((d) => [d._id.toHexString(), d]));
      for (const row of wanted) row.doc = docs.get(row._id.toHexString()) ?? null;
    }
    return [...pages.values()];
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

  /**
   * Applies a moderation decision taken at `at` unless a newer one was applied; the article
   * (after) when applied, null when it is missing or the decision is not newer. `updatedAt` stays.
   */
  applyModeration(id: ObjectId, hidden: boolean, reason: string | null, at: Date): Promise<ArticleDocument | null> {
    const { newer, update } = moderationUpdate<ArticleDocument>(hidden, reason, at);
    return this.collection.findOneAndUpdate({ _id: id, $and: [newer] }, update, { returnDocument: 'after' });
  }

  /** Ids of hidden articles that `viewerId` did not write: what they may not see (bookmark pages). */
  async hiddenIdsNotBy(viewerId: ObjectId | null): Promise<ObjectId[]> {
    const filter: Filter<ArticleDocument> = viewerId ? { hiddenAt: { $exists: true }, authorId: { $ne: viewerId } } : { hiddenAt: { $exists: true } };
    const docs = await this.collection.find(filter, { projection: { _id: 1 } }).toArray();
    return docs.map((d) => d._id);
  }

  /** Ids of articles whose delete started but may not have finished. */
  async deletedIds(): Promise<ObjectId[]> {
    const docs = await this.collection.find({ deletedAt: { $exists: true } }, { projection: { _id: 1 } }).toArray();
    return docs.map((d) => d._id);
  }
}
