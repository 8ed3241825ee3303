import type { Filter, ObjectId } from 'mongodb';

/** A position in a `(field, _id)` sort: the field's value and the id that breaks ties. */
export interface KeysetPosition {
  value: Date | number | string;
  id: ObjectId;
}

/**
 * The documents strictly after `after` in a `(field, _id)` sort where both go in `direction`
 * (1 ascending, -1 descending): the keyset condition every cursor-paged list uses. No cursor,
 * no condition.
 */
export function keysetAfter<T>(field: string, direction: 1 | -1, after: KeysetPosition | null | undefined): Filter<T> {
  if (!after) return {};
  const op = direction === 1 ? '$gt' : '$lt';
  return { $or: [{ [field]: { [op]: after.value } }, { [field]: { $eq: after.value }, _id: { [op]: after.id } }] } as Filter<T>;
}
