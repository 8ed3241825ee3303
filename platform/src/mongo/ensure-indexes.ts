import type { Collection, Document, IndexDescription } from 'mongodb';

/**
 * Creates indexes one `createIndexes` command each. FerretDB 1.24 panics and drops the
 * connection when a single command names several indexes that already exist (every restart
 * against existing data); one index per command is idempotent on it and on MongoDB.
 */
export async function ensureIndexes<T extends Document>(collection: Collection<T>, indexes: IndexDescription[]): Promise<void> {
  for (const { key, ...options } of indexes) await collection.createIndex(key, options);
}

/**
 * The index on a document's `expireAt`: a TTL index where the server has them (MongoDB deletes
 * expired documents itself), a plain one otherwise (FerretDB: a prune job deletes by it).
 */
export function expiryIndex(ttlIndexes: boolean): IndexDescription {
  return ttlIndexes ? { key: { expireAt: 1 }, name: 'expireAt_ttl', expireAfterSeconds: 0 } : { key: { expireAt: 1 }, name: 'expireAt' };
}
