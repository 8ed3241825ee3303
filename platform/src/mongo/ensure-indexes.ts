import type { Collection, Document, IndexDescription } from 'mongodb';

/**
 * Creates indexes one `createIndexes` command each. FerretDB 1.24 panics and drops the
 * connection when a single command names several indexes that already exist (every restart
 * against existing data); one index per command is idempotent on it and on MongoDB.
 */
export async function ensureIndexes<T extends Document>(collection: Collection<T>, indexes: IndexDescription[]): Promise<void> {
  for (const { key, ...options } of indexes) await collection.createIndex(key, options);
}
