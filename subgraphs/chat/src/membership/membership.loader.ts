import type { UserLinkRepository } from '@stagelives/platform';
import { createCountLoader, createViewerFlagLoader } from '@stagelives/platform/subgraph';

/** Members per room, counted from the membership documents: one `$group` per batch. */
export function createMemberCountLoader(memberships: UserLinkRepository) {
  return createCountLoader((roomIds) => memberships.countByParents(roomIds));
}

/** Whether the viewer is a member of each room: one query per batch, none without a viewer. */
export function createViewerIsMemberLoader(memberships: UserLinkRepository, viewerId: string | null) {
  return createViewerFlagLoader(viewerId, (viewer, roomIds) => memberships.parentsAmong(viewer, roomIds));
}
