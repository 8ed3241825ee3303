import { ObjectId } from 'mongodb';
import { BadUserInputError } from './errors.js';

/** Parses a client-given id; a malformed id is bad input, never a database query. */
export function parseId(id: unknown, field = 'id'): ObjectId {
  if (typeof id !== 'string' || !/^[0-9a-fA-F]{24}$/.test(id)) {
    throw new BadUserInputError(`${field} is not a valid id.`, field);
  }
  return new ObjectId(id);
}

/** Like parseId, but an id that cannot exist yields null (for lookups that answer "not found"). */
export function tryParseId(id: unknown): ObjectId | null {
  return typeof id === 'string' && /^[0-9a-fA-F]{24}$/.test(id) ? new ObjectId(id) : null;
}
