import DataLoader from 'dataloader';
import { ObjectId } from 'mongodb';
import type { LikeRepository } from './like.repository.js';

/** Whether the viewer likes each concert: one query per batch, whatever the page size. */
export function createViewerLikeLoader(repository: LikeRepository, viewerId: string | null) {
  return new DataLoader<string, boolean>(async (concertIds) => {
    if (!viewerId || !ObjectId.isValid(viewerId)) return concertIds.map(() => false);
    const valid = concertIds.filter((id) => /^[0-9a-f]{24}$/i.test(id)).map((id) => new ObjectId(id));
    const liked = new Set((valid.length ? await repository.likedAmong(new ObjectId(viewerId), valid) : []).map((id) => id.toHexString()));
    return concertIds.map((id) => liked.has(id));
  });
}
