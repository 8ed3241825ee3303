import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import type { ConcertDocument, ConcertStatus } from './concert.type.js';

export interface ConcertQuery {
  status?: ConcertStatus;
  /** Lower-cased artist. */
  artistKey?: string;
  from?: Date;
  to?: Date;
  /** Already-escaped, case-insensitive pattern matched against title, artist and description. */
  searchPattern?: string;
}

/** Sort key of the concert list: start time, then id. */
export interface ConcertCursor {
  startsAt: Date;
  id: ObjectId;
}

type StoredConcert = ConcertDocument & { artistKey: string };

/** The `concerts` collection. */
export class ConcertRepository {
  readonly collection: Collection<StoredConcert>;

  constructor(db: Db) {
    this.collection = db.collection<StoredConcert>('concerts');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { startsAt: 1, _id: 1 }, name: 'startsAt_id' },
      { key: { status: 1, startsAt: 1, _id: 1 }, name: 'status_startsAt_id' },
      { key: { artistKey: 1, startsAt: 1, _id: 1 }, name: 'artist_startsAt_id' },
    ]);
  }

  async insert(doc: Omit<ConcertDocument, '_id'>): Promise<ConcertDocument> {
    const stored = { ...doc, artistKey: doc.artist.toLowerCase() } as StoredConcert;
    const { insertedId } = await this.collection.insertOne(stored);
    return { ...doc, _id: insertedId };
  }

  findByIds(ids: readonly ObjectId[]): Promise<ConcertDocument[]> {
    return this.collection.find({ _id: { $in: [...ids] } }).toArray();
  }

  private filterOf(query: ConcertQuery): Filter<StoredConcert> {
    const and: Filter<StoredConcert>[] = [];
    if (query.status) and.push({ status: { $eq: query.status } });
    if (query.artistKey) and.push({ artistKey: { $eq: query.artistKey } });
    if (query.from) and.push({ startsAt: { $gte: query.from } });
    if (query.to) and.push({ startsAt: { $lt: query.to } });
    if (query.searchPattern) {
      const re = { $regex: query.searchPattern, $options: 'i' };
      and.push({ $or: [{ title: re }, { artist: re }, { description: re }] });
    }
    return and.length ? { $and: and } : {};
  }

  /** One page in (startsAt, _id) order, plus one extra to tell whether more follow. */
  async page(query: ConcertQuery, limit: number, after?: ConcertCursor): Promise<ConcertDocument[]> {
    const filter = this.filterOf(query);
    const keyset: Filter<StoredConcert> | undefined = after && {
      $or: [{ startsAt: { $gt: after.startsAt } }, { startsAt: { $eq: after.startsAt }, _id: { $gt: after.id } }],
    };
    const where = keyset ? { $and: [filter, keyset] } : filter;
    return this.collection.find(where).sort({ startsAt: 1, _id: 1 }).limit(limit + 1).toArray();
  }

  count(query: ConcertQuery): Promise<number> {
    return this.collection.countDocuments(this.filterOf(query));
  }
}
