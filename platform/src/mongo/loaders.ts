import DataLoader from 'dataloader';
import type { ObjectId } from 'mongodb';
import { objectIdsOf, tryParseId } from '@stagelives/schema';

/**
 * Per-request DataLoaders keyed by hex id: one query per batch however many parents a response
 * holds; ids that cannot exist are answered without a query. Keys are matched case-insensitively.
 */

/** Documents by id (null when absent); `keyOf` says which id a fetched document answers. */
export function createByIdLoader<D>(fetch: (ids: ObjectId[]) => Promise<D[]>, keyOf: (doc: D) => ObjectId): DataLoader<string, D | null> {
  return new DataLoader<string, D | null>(async (ids) => {
    const valid = objectIdsOf(ids);
    const docs = valid.length ? await fetch(valid) : [];
    const byId = new Map(docs.map((d) => [keyOf(d).toHexString(), d]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  });
}

/** Counts by parent id (0 when absent), from one grouped count per batch. */
export function createCountLoader(count: (ids: ObjectId[]) => Promise<Map<string, number>>): DataLoader<string, number> {
  return new DataLoader<string, number>(async (ids) => {
    const valid = objectIdsOf(ids);
    const counts = valid.length ? await count(valid) : new Map<string, number>();
    return ids.map((id) => counts.get(id.toLowerCase()) ?? 0);
  });
}

/** Whether the viewer is linked to each parent (liked, bookmarked, joined); no viewer, no query. */
export function createViewerFlagLoader(
  viewerId: string | null,
  find: (viewer: ObjectId, ids: ObjectId[]) => Promise<Set<string>>,
): DataLoader<string, boolean> {
  return new DataLoader<string, boolean>(async (ids) => {
    const viewer = tryParseId(viewerId);
    if (!viewer) return ids.map(() => false);
    const valid = objectIdsOf(ids);
    const found = valid.length ? await find(viewer, valid) : new Set<string>();
    return ids.map((id) => found.has(id.toLowerCase()));
  });
}
