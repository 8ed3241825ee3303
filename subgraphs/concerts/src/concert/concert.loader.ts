import DataLoader from 'dataloader';
import { ObjectId } from 'mongodb';
import type { ConcertRepository } from './concert.repository.js';
import type { ConcertDocument } from './concert.type.js';

export function createConcertLoader(repository: ConcertRepository) {
  return new DataLoader<string, ConcertDocument | null>(async (ids) => {
    const valid = ids.filter((id) => /^[0-9a-f]{24}$/i.test(id));
    const docs = valid.length ? await repository.findByIds(valid.map((id) => new ObjectId(id))) : [];
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
