import { MongoBulkWriteError, type Collection, type Document, type Filter, type FindOptions, type OptionalUnlessRequiredId } from 'mongodb';

/** Documents per insert command. */
const INSERT_CHUNK = 1000;

const isDuplicate = (error: { code?: unknown; errmsg?: unknown; message?: unknown }) =>
  error.code === 11000 || error.code === 11001 || /duplicate key|UNIQUE constraint failed/i.test(String(error.errmsg ?? error.message ?? ''));

/** Inserts waiting for their collection's writer in this process. */
interface PendingInsert {
  docs: readonly Document[];
  resolve(inserted: Set<number>): void;
  reject(error: unknown): void;
}
interface CollectionWriter {
  waiting: PendingInsert[];
  running: boolean;
}
const writers = new WeakMap<Collection<Document>, CollectionWriter>();

/**
 * Inserts what is not there yet: an unordered insert whose duplicate-key errors are expected
 * (the unique `_id` decides, also between racing processes). Returns the positions in `docs`
 * this call inserted; any other write error is thrown.
 *
 * Inserts are the write FerretDB 1.24 (SQLite) does fast and atomically: an update or delete
 * scans the collection once per document it changes, an insert does not.
 *
 * Group commit: one writer per collection in this process. Calls made while its insert runs
 * wait and go together in the next one (a document a waiting call shares with another is
 * refused as a duplicate, as it would be racing), so concurrent batches cost one insert command
 * at a time per collection instead of as many as there are batches contending for SQLite's
 * single writer.
 */
export function insertNew<T extends Document>(collection: Collection<T>, docs: ReadonlyArray<OptionalUnlessRequiredId<T>>): Promise<Set<number>> {
  if (docs.length === 0) return Promise.resolve(new Set());
  const key = collection as unknown as Collection<Document>;
  let writer = writers.get(key);
  if (!writer) {
    writer = { waiting: [], running: false };
    writers.set(key, writer);
  }
  const done = new Promise<Set<number>>((resolve, reject) => writer.waiting.push({ docs: docs as readonly Document[], resolve, reject }));
  if (!writer.running) void write(key, writer);
  return done;
}

async function write(collection: Collection<Document>, writer: CollectionWriter): Promise<void> {
  writer.running = true;
  try {
    while (writer.waiting.length > 0) {
      const calls = writer.waiting.splice(0);
      const all = calls.flatMap((call) => call.docs);
      let inserted: Set<number>;
      try {
        inserted = await insertChunks(collection, all);
      } catch (error) {
        for (const call of calls) call.reject(error);
        continue;
      }
      let offset = 0;
      for (const call of calls) {
        const mine = new Set<number>();
        for (let i = 0; i < call.docs.length; i++) if (inserted.has(offset + i)) mine.add(i);
        offset += call.docs.length;
        call.resolve(mine);
      }
    }
  } finally {
    writer.running = false;
  }
}

async function insertChunks(collection: Collection<Document>, docs: readonly Document[]): Promise<Set<number>> {
  const inserted = new Set<number>();
  for (let start = 0; start < docs.length; start += INSERT_CHUNK) {
    const chunk = docs.slice(start, start + INSERT_CHUNK);
    try {
      await collection.insertMany(chunk as OptionalUnlessRequiredId<Document>[], { ordered: false });
      for (let i = 0; i < chunk.length; i++) inserted.add(start + i);
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      const other = writeErrors.find((e) => !isDuplicate(e));
      if (other || writeErrors.length === 0) throw error;
      const refused = new Set(writeErrors.map((e) => e.index));
      for (let i = 0; i < chunk.length; i++) if (!refused.has(i)) inserted.add(start + i);
    }
  }
  return inserted;
}

/**
 * Up to this many ids are read with one `findOne` each, in parallel: FerretDB 1.24 (SQLite)
 * answers an `_id` equality with a limit from its primary key, but scans the whole collection
 * for `$in` (or for an `_id` equality without a limit). More ids: `$in`, 1,000 per query (one
 * scan each on FerretDB, an index walk on MongoDB).
 */
export const POINT_READS_UP_TO = 16;

/** Documents by `_id` (missing ones are absent), by point reads or `$in` (see POINT_READS_UP_TO). */
export async function findByIds<T extends Document & { _id: unknown }>(
  collection: Collection<T>,
  ids: ReadonlyArray<T['_id']>,
  options: FindOptions = {},
): Promise<T[]> {
  const unique = [...new Map(ids.map((id) => [String(id), id])).values()];
  if (unique.length === 0) return [];
  if (unique.length <= POINT_READS_UP_TO) {
    const docs = await Promise.all(unique.map((id) => collection.findOne({ _id: { $eq: id } } as Filter<T>, options)));
    return docs.filter((d) => d !== null) as T[];
  }
  const found: T[] = [];
  for (let i = 0; i < unique.length; i += 1000) {
    found.push(...((await collection.find({ _id: { $in: unique.slice(i, i + 1000) } } as Filter<T>, options).toArray()) as T[]));
  }
  return found;
}
