import { escapeRegExp } from '@stagelives/schema';
import { GroupCommit, byId, ensureIndexes, findByIds, keysetAfter, type KeysetPosition } from '@stagelives/platform';
import { ObjectId, type Collection, type Db, type Filter, type IndexDescription, type UpdateFilter } from 'mongodb';
import type { ConcertCountCache } from './concert-count.cache.js';
import { statusCondition } from './concert-status.js';
import type { ConcertDocument, ConcertStatus } from './concert.type.js';

export interface ConcertQuery {
  /** Status at `now`, computed from the dates (never the possibly stale stored status). */
  status?: ConcertStatus;
  /** Lower-cased artist. */
  artistKey?: string;
  from?: Date;
  to?: Date;
  /** Words to find in title, artist and description (plain user text, never a pattern). */
  search?: string;
  now: Date;
}

/**
 * The driver filter of a list query; search is `$text` when the server has it, else an escaped
 * `$regex`. The artist is a top-level equality, the rest under `$and`: FerretDB on PostgreSQL
 * answers a top-level equality in SQL from an index (`artist_startsAt_id` serves it on MongoDB).
 */
export function concertFilter(query: ConcertQuery, textSearch: boolean): Filter<ConcertDocument> {
  const and: Filter<ConcertDocument>[] = [];
  const equal: Filter<ConcertDocument> = query.artistKey ? { artistKey: { $eq: query.artistKey } } : {};
  if (query.status) and.push(statusCondition<ConcertDocument>(query.status, query.now));
  if (query.from) and.push({ startsAt: { $gte: query.from } });
  if (query.to) and.push({ startsAt: { $lt: query.to } });
  if (query.search) {
    if (textSearch) {
      and.push({ $text: { $search: query.search } });
    } else {
      const re = { $regex: escapeRegExp(query.search), $options: 'i' };
      and.push({ $or: [{ title: re }, { artist: re }, { description: re }] });
    }
  }
  return and.length ? { ...equal, $and: and } : equal;
}

/** The collection of concerts in the concerts database (the status job writes its `status` too). */
export const CONCERTS_COLLECTION = 'concerts';

/**
 * The `concerts` collection. Every write goes through here, and every write that can change
 * which concerts a list holds drops the cached counts (`counts`) after it is stored.
 */
export class ConcertRepository {
  readonly collection: Collection<ConcertDocument>;

  /**
   * Moves of `likeCount`, one `$inc` per concert at a time in this process (what waits is
   * summed into the next): FerretDB applies `$inc` as a read-modify-write without isolation, so
   * two at once on one concert would lose one. MongoDB needs no help; the order costs nothing.
   */
  private readonly likeCounter = new GroupCommit<string, number, ConcertDocument | null>(async (id, deltas) => {
    const delta = deltas.reduce((a, b) => a + b, 0);
    const _id = new ObjectId(id);
    const doc =
      delta === 0 ? await this.findById(_id) : await this.collection.findOneAndUpdate(byId(_id), { $inc: { likeCount: delta } }, { returnDocument: 'after' });
    return deltas.map(() => doc);
  });

  /**
   * @param textSearch the server supports `$text` (MongoDB); otherwise search is an escaped `$regex`.
   * @param counts the shared cache of list counts (none: every count is read from the database).
   * @param pointReadsUpTo ids `findByIds` reads one by one (platform's pointReadsFor).
   */
  constructor(
    db: Db,
    private readonly textSearch: boolean,
    private readonly counts: ConcertCountCache | null = null,
    private readonly pointReadsUpTo = 0,
  ) {
    this.collection = db.collection<ConcertDocument>(CONCERTS_COLLECTION);
  }

  /** Idempotent (platform's ensureIndexes: one index per command, as FerretDB needs). */
  async ensureIndexes(): Promise<void> {
    const indexes: IndexDescription[] = [
      { key: { startsAt: 1, _id: 1 }, name: 'startsAt_id' },
      { key: { status: 1, startsAt: 1, _id: 1 }, name: 'status_startsAt_id' },
      { key: { status: 1, effectiveEndsAt: 1 }, name: 'status_effectiveEndsAt' },
      { key: { artistKey: 1, startsAt: 1, _id: 1 }, name: 'artist_startsAt_id' },
      // The status worker reads back the concerts its run changed.
      { key: { statusRun: 1 }, name: 'statusRun', sparse: true },
    ];
    if (this.textSearch) {
      indexes.push({ key: { title: 'text', artist: 'text', description: 'text' }, name: 'concert_text', weights: { title: 10, artist: 5, description: 1 } });
    }
    await ensureIndexes(this.collection, indexes);
  }

  async insert(doc: Omit<ConcertDocument, '_id'>): Promise<ConcertDocument> {
    const { insertedId } = await this.collection.insertOne(doc as ConcertDocument);
    await this.counts?.invalidate();
    return { ...doc, _id: insertedId };
  }

  findById(id: ObjectId): Promise<ConcertDocument | null> {
    return this.collection.findOne(byId(id));
  }

  findByIds(ids: readonly ObjectId[]): Promise<ConcertDocument[]> {
    return findByIds(this.collection, ids, {}, this.pointReadsUpTo);
  }

  private filterOf(query: ConcertQuery): Filter<ConcertDocument> {
    return concertFilter(query, this.textSearch);
  }

  /** One page in (startsAt, _id) order strictly after `after`, plus one extra to tell whether more follow. */
  page(query: ConcertQuery, limit: number, after?: KeysetPosition | null): Promise<ConcertDocument[]> {
    const filter = this.filterOf(query);
    const where = after ? { ...filter, $and: [...(filter.$and ?? []), keysetAfter<ConcertDocument>('startsAt', 1, after)] } : filter;
    return this.collection
      .find(where)
      .sort({ startsAt: 1, _id: 1 })
      .limit(limit + 1)
      .toArray();
  }

  /** How many concerts the query holds; cached (`counts`) unless it filters by status, which moves with the clock. */
  count(query: ConcertQuery): Promise<number> {
    const compute = () => this.collection.countDocuments(this.filterOf(query));
    if (!this.counts || query.status) return compute();
    const { now: _now, ...key } = query;
    return this.counts.count(key, compute);
  }

  /** Applies `$set` atomically; returns the document as it was before, or null when there is none. */
  async updateReturningBefore(id: ObjectId, set: Partial<ConcertDocument>, where: Filter<ConcertDocument> = {}): Promise<ConcertDocument | null> {
    const before = await this.collection.findOneAndUpdate({ ...where, ...byId(id) }, { $set: set } as UpdateFilter<ConcertDocument>, {
      returnDocument: 'before',
    });
    if (before) await this.counts?.invalidate();
    return before;
  }

  async delete(id: ObjectId): Promise<boolean> {
    const { deletedCount } = await this.collection.deleteOne(byId(id));
    if (deletedCount === 1) await this.counts?.invalidate();
    return deletedCount === 1;
  }

  /**
   * Moves the stored like count by `delta` (after the like document was written or removed);
   * the concert as it is afterwards, or null when it was deleted meanwhile. See `likeCounter`.
   */
  addLikes(id: ObjectId, delta: number): Promise<ConcertDocument | null> {
    return this.likeCounter.submit(id.toHexString(), delta);
  }
}
