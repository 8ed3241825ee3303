import type { Collection, Document, Filter, FindOptions } from 'mongodb';
import type { MongoFeatures } from './mongo-features.js';

/**
 * Up to this many ids are read with one `findOne` each, in parallel, by default: FerretDB 1.24
 * (SQLite) answers an `_id` equality from its primary key but scans the whole collection for an
 * `$in` (any filter other than a lone `_id` equality). More ids: `$in`, 1,000 per query (one scan
 * each on FerretDB, an index walk on MongoDB).
 */
export const POINT_READS_UP_TO = 16;

/** Read ids one by one only on a server whose `$in` scans (FerretDB): below this many, a page's ids. */
const POINT_READS_WHEN_IN_SCANS = 256;

/**
 * How many ids `findByIds` reads one by one before it uses `$in`, for a server with these
 * features: none where `$in` walks the `_id` index (MongoDB: one round trip is cheaper than N),
 * a page's worth where it scans the collection (FerretDB: N primary-key reads cost
 * milliseconds, one scan of 5,000 documents costs a second).
 */
export function pointReadsFor(features: Pick<MongoFeatures, 'idInIndexed'>): number {
  return features.idInIndexed ? 0 : POINT_READS_WHEN_IN_SCANS;
}

/** Documents by `_id` (missing ones are absent, duplicates read once), by point reads or `$in` (see POINT_READS_UP_TO). */
export async function findByIds<T extends Document & { _id: unknown }>(
  collection: Collection<T>,
  ids: ReadonlyArray<T['_id']>,
  options: FindOptions = {},
  pointReadsUpTo = POINT_READS_UP_TO,
): Promise<T[]> {
  const unique = [...new Map(ids.map((id) => [String(id), id])).values()];
  if (unique.length === 0) return [];
  if (unique.length <= pointReadsUpTo) {
    const docs = await Promise.all(unique.map((id) => collection.findOne({ _id: { $eq: id } } as Filter<T>, options)));
    return docs.filter((d) => d !== null) as T[];
  }
  const found: T[] = [];
  for (let i = 0; i < unique.length; i += 1000) {
    found.push(...((await collection.find({ _id: { $in: unique.slice(i, i + 1000) } } as Filter<T>, options).toArray()) as T[]));
  }
  return found;
}
