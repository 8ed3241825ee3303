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

const WEEK_MS = 7 * 86_400_000;
/** Most weeks a weekly page read looks up at once; a page needing more is read the one way. */
const MAX_WEEKS_A_ROUND = 16;

/** The week a concert starts in, counted from the epoch: its stored `startsWeek`. */
export function startsWeekOf(startsAt: Date): number {
  return Math.floor(startsAt.getTime() / WEEK_MS);
}

/**
 * The weeks a list query can hold concerts in, both ends included (absent: unbounded), or null
 * when its filter is not one a weekly read serves: a search, an artist (an indexed equality
 * already) or a status whose concerts are few and anywhere in time (CANCELLED, ONGOING).
 */
function weeksOf(query: ConcertQuery, after?: KeysetPosition | null): { from?: number; to?: number } | null {
  if (query.search || query.artistKey || query.status === 'CANCELLED' || query.status === 'ONGOING') return null;
  const starts = [query.from, after?.value instanceof Date ? after.value : undefined, query.status === 'UPCOMING' ? query.now : undefined];
  // COMPLETED concerts ended at or before now, so they started before it.
  const ends = [query.to && new Date(query.to.getTime() - 1), query.status === 'COMPLETED' ? query.now : undefined];
  const from = Math.max(...starts.filter((d): d is Date => !!d).map(startsWeekOf));
  const to = Math.min(...ends.filter((d): d is Date => !!d).map(startsWeekOf));
  return { ...(Number.isFinite(from) ? { from } : {}), ...(Number.isFinite(to) ? { to } : {}) };
}

export interface ConcertRepositoryOptions {
  /** The server supports `$text` (MongoDB); otherwise search is an escaped `$regex`. */
  textSearch?: boolean;
  /** The shared cache of list counts and of the week histogram (none: every count is read from the database). */
  counts?: ConcertCountCache | null;
  /** Ids `findByIds` reads one by one (platform's pointReadsFor). */
  pointReadsUpTo?: number;
  /**
   * Read list pages week by week (`startsWeek` equalities) instead of one sorted range: where the
   * server answers an equality from an index but sorts and ranges by decoding every document
   * (FerretDB on PostgreSQL: platform's `equalityReadsFor` > 0). Needs `counts` for the histogram.
   */
  weeklyPages?: boolean;
}

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

  private readonly textSearch: boolean;
  private readonly counts: ConcertCountCache | null;
  private readonly pointReadsUpTo: number;
  private readonly weeklyPages: boolean;

  constructor(db: Db, options: ConcertRepositoryOptions = {}) {
    this.collection = db.collection<ConcertDocument>(CONCERTS_COLLECTION);
    this.textSearch = options.textSearch ?? false;
    this.counts = options.counts ?? null;
    this.pointReadsUpTo = options.pointReadsUpTo ?? 0;
    this.weeklyPages = (options.weeklyPages ?? false) && this.counts !== null;
  }

  /** Idempotent (platform's ensureIndexes: one index per command, as FerretDB needs). */
  async ensureIndexes(): Promise<void> {
    const indexes: IndexDescription[] = [
      { key: { startsAt: 1, _id: 1 }, name: 'startsAt_id' },
      { key: { status: 1, startsAt: 1, _id: 1 }, name: 'status_startsAt_id' },
      { key: { status: 1, effectiveEndsAt: 1 }, name: 'status_effectiveEndsAt' },
      { key: { artistKey: 1, startsAt: 1, _id: 1 }, name: 'artist_startsAt_id' },
      // Weekly page reads (FerretDB); MongoDB reads pages from startsAt_id.
      ...(this.weeklyPages ? [{ key: { startsWeek: 1 }, name: 'startsWeek' }] : []),
      // The status worker reads back the concerts its run changed.
      { key: { statusRun: 1 }, name: 'statusRun', sparse: true },
    ];
    if (this.textSearch) {
      indexes.push({ key: { title: 'text', artist: 'text', description: 'text' }, name: 'concert_text', weights: { title: 10, artist: 5, description: 1 } });
    }
    await ensureIndexes(this.collection, indexes);
  }

  /**
   * Gives concerts stored before `startsWeek` existed (or written around this repository) theirs,
   * where pages are read week by week; until then those reads fall back to one sorted query. How
   * many it filled.
   */
  async fillStartsWeeks(): Promise<number> {
    // Only weekly page reads use it: elsewhere (MongoDB) this would scan the collection at every start for nothing.
    if (!this.weeklyPages) return 0;
    const missing = await this.collection.find({ startsWeek: { $exists: false } }, { projection: { startsAt: 1 } }).toArray();
    // Twenty single updates at a time: FerretDB 1.24 on PostgreSQL never answers an `update`
    // command carrying many statements (a `bulkWrite` of 50 hung in our probe).
    for (let i = 0; i < missing.length; i += 20) {
      await Promise.all(missing.slice(i, i + 20).map((doc) => this.collection.updateOne(byId(doc._id), { $set: { startsWeek: startsWeekOf(doc.startsAt) } })));
    }
    if (missing.length > 0) await this.counts?.invalidate();
    return missing.length;
  }

  async insert(doc: Omit<ConcertDocument, '_id' | 'startsWeek'>): Promise<ConcertDocument> {
    const stored = { ...doc, startsWeek: startsWeekOf(doc.startsAt) };
    const { insertedId } = await this.collection.insertOne(stored as ConcertDocument);
    await this.counts?.invalidate();
    return { ...stored, _id: insertedId };
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
  async page(query: ConcertQuery, limit: number, after?: KeysetPosition | null): Promise<ConcertDocument[]> {
    const filter = this.filterOf(query);
    const where = after ? { ...filter, $and: [...(filter.$and ?? []), keysetAfter<ConcertDocument>('startsAt', 1, after)] } : filter;
    const weeks = this.weeklyPages ? weeksOf(query, after) : null;
    const weekly = weeks && (await this.weeklyPage(where, limit + 1, weeks));
    if (weekly) return weekly;
    return this.collection
      .find(where)
      .sort({ startsAt: 1, _id: 1 })
      .limit(limit + 1)
      .toArray();
  }

  /**
   * The first `n` concerts matching `where` in (startsAt, _id) order, read week by week: one
   * `startsWeek` equality per week, the weeks chosen by the cached histogram so that their
   * concerts are just enough, read in parallel, concatenated in week order (weeks are in
   * `startsAt` order). A filter thins a week's concerts, so a round that found too few reads
   * twice as many concerts' worth of weeks next. The same documents as the one sorted query,
   * which FerretDB answers by decoding every concert. Null (read it the one way): no histogram,
   * a concert without `startsWeek`, or more than MAX_WEEKS_A_ROUND weeks needed at once.
   */
  private async weeklyPage(where: Filter<ConcertDocument>, n: number, range: { from?: number; to?: number }): Promise<ConcertDocument[] | null> {
    const histogram = await this.counts!.weeks(() => this.weekHistogram());
    if (!histogram) return null;
    const weeks = histogram.filter(([week]) => (range.from === undefined || week >= range.from) && (range.to === undefined || week <= range.to));
    const found: ConcertDocument[] = [];
    for (let next = 0, round = 0; found.length < n && next < weeks.length; round += 1) {
      const need = n - found.length;
      const batch: number[] = [];
      for (let held = 0; next < weeks.length && (batch.length === 0 || held < need * 2 ** round); next += 1) {
        batch.push(weeks[next]![0]);
        held += weeks[next]![1];
      }
      // Concerts so sparse that a page spans many weeks: one sorted query reads fewer documents.
      if (batch.length > MAX_WEEKS_A_ROUND) return null;
      const pages = await Promise.all(
        batch.map((week) =>
          this.collection
            .find({ startsWeek: week, ...where })
            .sort({ startsAt: 1, _id: 1 })
            .limit(need)
            .toArray(),
        ),
      );
      found.push(...pages.flat());
    }
    return found.slice(0, n);
  }

  /** How many concerts start in each week, in week order; null when some concert has no `startsWeek`. */
  private async weekHistogram(): Promise<Array<[number, number]> | null> {
    const groups = await this.collection.aggregate<{ _id: number | null; n: number }>([{ $group: { _id: '$startsWeek', n: { $sum: 1 } } }]).toArray();
    if (groups.some((g) => typeof g._id !== 'number')) return null;
    return groups.map((g): [number, number] => [g._id!, g.n]).sort((a, b) => a[0] - b[0]);
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
    const stored = set.startsAt ? { ...set, startsWeek: startsWeekOf(set.startsAt) } : set;
    const before = await this.collection.findOneAndUpdate({ ...where, ...byId(id) }, { $set: stored } as UpdateFilter<ConcertDocument>, {
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
