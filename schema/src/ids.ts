import { ObjectId } from 'mongodb';
import { BadUserInputError } from './errors.js';

/** The one spelling of an id in the graph: 24 hex digits (a MongoDB ObjectId), either case. */
export function isObjectIdHex(id: unknown): id is string {
  return typeof id === 'string' && id.length === 24 && /^[0-9a-fA-F]{24}$/.test(id);
}

/** Parses a client-given id; a malformed id is bad input, never a database query. */
export function parseId(id: unknown, field = 'id'): ObjectId {
  if (!isObjectIdHex(id)) throw new BadUserInputError(`${field} is not a valid id.`, field);
  return new ObjectId(id);
}

/** Like parseId, but an id that cannot exist yields null (for lookups that answer "not found"). */
export function tryParseId(id: unknown): ObjectId | null {
  return isObjectIdHex(id) ? new ObjectId(id) : null;
}

/** The ids among `ids` that can exist, as ObjectIds (batch lookups skip the others). */
export function objectIdsOf(ids: readonly string[]): ObjectId[] {
  return ids.filter(isObjectIdHex).map((id) => new ObjectId(id));
}
