import { MongoBulkWriteError, type Collection, type Document, type OptionalUnlessRequiredId } from 'mongodb';
import { GroupCommit } from '@stagelives/platform';

/** Documents per insert command. */
const INSERT_CHUNK = 1000;

const isDuplicate = (error: { code?: unknown; errmsg?: unknown; message?: unknown }) =>
  error.code === 11000 || error.code === 11001 || /duplicate key|UNIQUE constraint failed/i.test(String(error.errmsg ?? error.message ?? ''));

/**
 * One insert writer per collection in this process (group commit): the calls waiting while an
 * insert runs go together in the next one. A run answers each call the positions of its own
 * documents that were inserted.
 */
const writers = new GroupCommit<Collection<Document>, readonly Document[], Set<number>>(async (collection, calls) => {
  const inserted = await insertChunks(collection, calls.flat());
  let offset = 0;
  return calls.map((docs) => {
    const mine = new Set<number>();
    for (let i = 0; i < docs.length; i++) if (inserted.has(offset + i)) mine.add(i);
    offset += docs.length;
    return mine;
  });
});

/**
 * Inserts what is not there yet: an unordered insert whose duplicate-key errors are expected
 * (the unique `_id` decides, also between racing processes). Returns the positions in `docs`
 * this call inserted; any other write error is thrown.
 *
 * Inserts are the write FerretDB 1.24 (SQLite) does fast and atomically: an update or delete
 * scans the collection once per document it changes, an insert does not.
 *
 * Group commit (`writers`): calls made while their collection's insert runs wait and go together
 * in the next one (a document a waiting call shares with another is refused as a duplicate, as
 * it would be racing), so concurrent batches cost one insert command at a time per collection
 * instead of as many as there are batches contending for SQLite's single writer.
 */
export function insertNew<T extends Document>(collection: Collection<T>, docs: ReadonlyArray<OptionalUnlessRequiredId<T>>): Promise<Set<number>> {
  if (docs.length === 0) return Promise.resolve(new Set());
  return writers.submit(collection as unknown as Collection<Document>, docs as readonly Document[]);
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
