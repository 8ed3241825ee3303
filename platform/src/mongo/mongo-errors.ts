import { MongoServerError } from 'mongodb';

/**
 * True for a unique-index violation. MongoDB reports code 11000 everywhere; FerretDB does for
 * inserts but answers updates with code 1 and its backend's text: SQLite's "UNIQUE constraint
 * failed", PostgreSQL's "duplicate key value violates unique constraint" (naming the index).
 */
export function isDuplicateKeyError(error: unknown): error is MongoServerError {
  if (!(error instanceof MongoServerError)) return false;
  return error.code === 11000 || error.code === 11001 || /UNIQUE constraint failed|duplicate key/i.test(error.message);
}

/** NamespaceNotFound (code 26; FerretDB says "ns not found"): the collection does not exist. */
export function isNamespaceNotFound(error: unknown): error is MongoServerError {
  return error instanceof MongoServerError && (error.code === 26 || /ns not found|namespace .* not found/i.test(error.message));
}

/** Text naming the violated index (key pattern and message), to tell which unique field clashed. */
export function duplicateKeyText(error: MongoServerError): string {
  return `${JSON.stringify(error.keyPattern ?? {})} ${error.message}`;
}
