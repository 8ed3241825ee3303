import { createByIdLoader } from '@stagelives/platform/subgraph';
import type { UserRepository } from './user.repository.js';

/** Batches user lookups by id within one request: one query per tick; ids that cannot exist are null. */
export function createUserLoader(repository: UserRepository) {
  return createByIdLoader(
    (ids) => repository.findByIds(ids),
    (user) => user._id,
  );
}
