import DataLoader from 'dataloader';
import { ObjectId } from 'mongodb';
import type { UserRepository } from './user.repository.js';
import type { UserDocument } from './user.type.js';

/** Batches user lookups by id within one request: one query per tick. */
export function createUserLoader(repository: UserRepository) {
  return new DataLoader<string, UserDocument | null>(async (ids) => {
    const valid = ids.filter((id) => ObjectId.isValid(id) && id.length === 24);
    const docs = valid.length ? await repository.findByIds(valid.map((id) => new ObjectId(id))) : [];
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
