import { escapeRegExp } from '@stagelives/schema';
import { ensureIndexes, keysetAfter, type KeysetPosition } from '@stagelives/platform';
import type { Collection, Db, Filter, IndexDescription, ObjectId, UpdateFilter } from 'mongodb';
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

/** The driver filter of a list query; search is `$text` when the server has it, else an escaped `$regex`. */
export function concertFilter(query: ConcertQuery, textSearch: boolean): Filter<ConcertDocument> {
  const and: Filter<ConcertDocument>[] = [];
  if (query.status) and.push(statusCondition<ConcertDocument>(query.status, query.now));
  if (query.artistKey) and.push({ artistKey: { $eq: query.artistKey } });
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
  return and.length ? { $and: and } : {};
}

/** The collection of concerts in the concerts database (the status job writes its `status` too). */
export const CONCERTS_COLLECTION = 'concerts';

/** The `concerts` collection. */
export class ConcertRepository {
  readonly collection: Collection<ConcertDocument>;

  /** @param textSearch the server supports `$text` (MongoDB); otherwise search is an escaped `$regex`. */
  constructor(db: Db, private readonly textSearch: boolean) {
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
    return { ...doc, _id: insertedId };
  }

  findById(id: ObjectId): Promise<ConcertDocument | null> {
    return this.collection.findOne({ _id: { $eq: id } });
  }

  findByIds(ids: readonly ObjectId[]): Promise<ConcertDocument[]> {
    return this.collection.find({ _id: { $in: [...ids] } }).toArray();
  }

  private filterOf(query: ConcertQuery): Filter<ConcertDocument> {
    return concertFilter(query, this.textSearch);
  }

  /** One page in (startsAt, _id) order strictly after `after`, plus one extra to tell whether more follow. */
  page(query: ConcertQuery, limit: number, after?: KeysetPosition | null): Promise<ConcertDocument[]> {
    const filter = this.filterOf(query);
    const where = after ? { $and: [filter, keysetAfter<ConcertDocument>('startsAt', 1, after)] } : filter;
    return this.collection.find(where).sort({ startsAt: 1, _id: 1 }).limit(limit + 1).toArray();
  }

  count(query: ConcertQuery): Promise<number> {
    return this.collection.countDocuments(this.filterOf(query));
  }

  /** Applies `$set` atomically; returns the document as it was before, or null when there is none. */
  updateReturningBefore(id: ObjectId, set: Partial<ConcertDocument>, where: Filter<ConcertDocument> = {}): Promise<ConcertDocument | null> {
    return this.collection.findOneAndUpdate({ ...where, _id: { $eq: id } }, { $set: set } as UpdateFilter<ConcertDocument>, { returnDocument: 'before' });
  }

  async delete(id: ObjectId): Promise<boolean> {
    const { deletedCount } = await this.collection.deleteOne({ _id: { $eq: id } });
    return deletedCount === 1;
  }
}
