import DataLoader from 'dataloader';
import { ObjectId } from 'mongodb';
import type { LikeRepository } from './like.repository.js';

/** Like counts by concert id: one aggregation per batch, whatever the page size. */
export function createLikeCountLoader(repository: LikeRepository) {
  return new DataLoader<string, number>(async (concertIds) => {
    const valid = concertIds.filter((id) => /^[0-9a-f]{24}$/i.test(id)).map((id) => new ObjectId(id));
    const counts = valid.length ? await repository.countByConcerts(valid) : new Map<string, number>();
    return concertIds.map((id) => counts.get(id.toLowerCase()) ?? 0);
  });
}

/** Whether the viewer likes each concert: one query per batch, whatever the page size. */
export function createViewerLikeLoader(repository: LikeRepository, viewerId: string | null) {
  return new DataLoader<string, boolean>(async (concertIds) => {
    if (!viewerId || !ObjectId.isValid(viewerId)) return concertIds.map(() => false);
    const valid = concertIds.filter((id) => /^[0-9a-f]{24}$/i.test(id)).map((id) => new ObjectId(id));
    const liked = new Set((valid.length ? await repository.likedAmong(new ObjectId(viewerId), valid) : []).map((id) => id.toHexString()));
    return concertIds.map((id) => liked.has(id));
  });
}
