import { ObjectId, type Collection, type Document, type Filter, type FindOptions } from 'mongodb';
import type { MongoFeatures } from './mongo-features.js';

/** What `byId` accepts: values that can never be an operator object. */
const isIdValue = (id: unknown): id is ObjectId | string => id instanceof ObjectId || typeof id === 'string';

/**
 * The filter of one document by `_id`: `{ _id: id }`, a bare equality. FerretDB 1.24 answers that
 * form (and only that form, alone in the filter) in SQL; `{ _id: { $eq: id } }` makes it decode
 * documents until it finds the match (measured at 3,000 documents: 16 ms against 130 ms for a
 * late one, the same for `updateOne` and `findOneAndUpdate`). Only an ObjectId or a string: a
 * bare value from a request could be an operator object, so anything else is refused.
 */
export function byId(id: ObjectId): { _id: ObjectId };
export function byId(id: string): { _id: string };
export function byId(id: ObjectId | string): { _id: ObjectId | string } {
  if (!isIdValue(id)) throw new TypeError('byId takes an ObjectId or a string');
  return { _id: id };
}

/**
 * Up to this many ids are read with one `findOne` each (`byId`), in parallel, by default. On
 * FerretDB 1.24 (SQLite) a bare `_id` equality is answered in SQL, reading rows until the match
 * (≈ 8× cheaper per document than its own decoding), while an `$in` decodes the whole
 * collection; measured: 20 point reads ≈ one `$in` of 20 ids, 1 point read ≈ 1/10 of an `$in`.
 * More ids: `$in`, 1,000 per query (one scan each on FerretDB, an index walk on MongoDB).
 */
const POINT_READS_UP_TO = 16;

/**
 * Up to this many values a batch reads with one equality each, in parallel, where every top-level
 * equality is an index look-up but `$in` decodes the whole collection (FerretDB 1.24 on
 * PostgreSQL with devkit's GIN companions). Measured there at bench scale (docs/ferretdb.md,
 * test/bench/db-probe.ts): 20 users by id 16–21 ms as point reads against 0.6–0.8 s as one `$in`
 * over 5,000 users; article counts of 20 concerts 30–45 ms against 2.8 s over 20,000 articles.
 * 100 is the largest page (schema's pageSize).
 */
const EQUALITY_READS_UP_TO = 100;

/**
 * How many ids `findByIds` reads one by one before it uses `$in`, for a server with these
 * features: none where `$in` walks the `_id` index (MongoDB: one round trip is cheaper than N),
 * EQUALITY_READS_UP_TO where every equality is answered from an index (FerretDB on PostgreSQL),
 * POINT_READS_UP_TO where only `_id` equality is (FerretDB on SQLite).
 */
export function pointReadsFor(features: Pick<MongoFeatures, 'idInIndexed' | 'equalityPushdown'>): number {
  if (features.idInIndexed) return 0;
  return features.equalityPushdown ? EQUALITY_READS_UP_TO : POINT_READS_UP_TO;
}

/**
 * How many values a batch over another field (`{ articleId: { $in: ids } }`: counts and pages per
 * parent) reads with one equality each before it uses `$in` (`perValue`): EQUALITY_READS_UP_TO
 * where an equality is answered from an index and `$in` is not (FerretDB on PostgreSQL), else
 * none: MongoDB walks the index for `$in` too, and FerretDB on SQLite scans for both, so one
 * scan beats N.
 */
export function equalityReadsFor(features: Pick<MongoFeatures, 'idInIndexed' | 'equalityPushdown'>): number {
  return !features.idInIndexed && features.equalityPushdown ? EQUALITY_READS_UP_TO : 0;
}

/**
 * The condition "one of `values`": `{ $eq: v }` for a single value, else `{ $in: values }`. The
 * same documents for the ids, strings and dates we pass (never a regex or an array), and the form
 * FerretDB answers in SQL for a single value (`$in` never is).
 */
export function oneOf<V>(values: readonly V[]): { $eq: V } | { $in: V[] } {
  return values.length === 1 ? { $eq: values[0]! } : { $in: [...values] };
}

/**
 * A batch query over `values`, as one query for them all (`query(values)`, with `oneOf`), or as
 * one query per value in parallel (`query([value])`: an equality) when there are at most
 * `upTo` (`equalityReadsFor` of the server), results concatenated.
 */
export async function perValue<V, R>(values: readonly V[], upTo: number, query: (some: readonly V[]) => Promise<R[]>): Promise<R[]> {
  if (values.length > 1 && values.length <= upTo) return (await Promise.all(values.map((value) => query([value])))).flat();
  return query(values);
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
    const docs = await Promise.all(unique.map((id) => collection.findOne((isIdValue(id) ? { _id: id } : { _id: { $eq: id } }) as Filter<T>, options)));
    return docs.filter((d) => d !== null) as T[];
  }
  const found: T[] = [];
  for (let i = 0; i < unique.length; i += 1000) {
    found.push(...((await collection.find({ _id: { $in: unique.slice(i, i + 1000) } } as Filter<T>, options).toArray()) as T[]));
  }
  return found;
}
