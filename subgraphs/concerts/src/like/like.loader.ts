import { createViewerFlagLoader } from '@stagelives/platform/subgraph';
import type { UserLinkRepository } from '@stagelives/platform';

/** Whether the viewer likes each concert: one query per batch, none without a viewer. */
export function createViewerLikeLoader(likes: UserLinkRepository, viewerId: string | null) {
  return createViewerFlagLoader(viewerId, (viewer, concertIds) => likes.parentsAmong(viewer, concertIds));
}
