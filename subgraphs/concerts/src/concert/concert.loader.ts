import { createByIdLoader } from '@stagelives/platform/subgraph';
import type { ConcertRepository } from './concert.repository.js';

/** Concerts by id: one query per batch; ids that cannot exist are answered null without one. */
export function createConcertLoader(concerts: ConcertRepository) {
  return createByIdLoader(
    (ids) => concerts.findByIds(ids),
    (doc) => doc._id,
  );
}
