import { createByIdLoader } from '@stagelives/platform/subgraph';
import type { SetlistRepository } from './setlist.repository.js';

/** Setlists by concert id: one query per batch, however many concerts a page has. */
export function createSetlistByConcertLoader(setlists: SetlistRepository) {
  return createByIdLoader(
    (concertIds) => setlists.findByConcertIds(concertIds),
    (doc) => doc.concertId,
  );
}
