import { createCountLoader, createViewerFlagLoader } from '@stagelives/platform/subgraph';
import type { UserLinkRepository } from '@stagelives/platform';

/** Like counts by concert id: one `$group` per batch, whatever the page size. */
export function createLikeCountLoader(likes: UserLinkRepository) {
  return createCountLoader((concertIds) => likes.countByParents(concertIds));
}

/** Whether the viewer likes each concert: one query per batch, none without a viewer. */
export function createViewerLikeLoader(likes: UserLinkRepository, viewerId: string | null) {
  return createViewerFlagLoader(viewerId, (viewer, concertIds) => likes.parentsAmong(viewer, concertIds));
}
