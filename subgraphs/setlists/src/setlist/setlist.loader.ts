import DataLoader from 'dataloader';
import { ObjectId } from 'mongodb';
import type { SetlistRepository } from './setlist.repository.js';
import type { SetlistDocument } from './setlist.type.js';

/** Setlists by concert id: one query per batch, however many concerts a page has. */
export function createSetlistByConcertLoader(repository: SetlistRepository) {
  return new DataLoader<string, SetlistDocument | null>(async (concertIds) => {
    const valid = concertIds.filter((id) => /^[0-9a-f]{24}$/i.test(id)).map((id) => new ObjectId(id));
    const docs = valid.length ? await repository.findByConcertIds(valid) : [];
    const byConcert = new Map(docs.map((d) => [d.concertId.toHexString(), d]));
    return concertIds.map((id) => byConcert.get(id.toLowerCase()) ?? null);
  });
}
