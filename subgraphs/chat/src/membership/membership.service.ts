import type { UserLinkRepository } from '@stagelives/platform';
import { ChatEventType, parseId } from '@stagelives/schema';
import type { ChatRoomService } from '../chat-room/chat-room.service.js';
import type { ChatRoomDocument } from '../chat-room/chat-room.type.js';
import type { ChatEventPublisher } from '../events/chat-events.js';

/**
 * Joining and leaving rooms. A membership is one unique (room, user) document (platform's
 * UserLinkRepository): joins and leaves are idempotent and member counts are counted from the
 * documents, exact under parallel joins and leaves (FerretDB has no isolated `$inc`).
 */
export class MembershipService {
  constructor(
    private readonly rooms: ChatRoomService,
    private readonly memberships: UserLinkRepository,
    private readonly events: ChatEventPublisher,
  ) {}

  /** Idempotent. NOT_FOUND for a missing room. */
  async join(userId: string, roomId: string): Promise<ChatRoomDocument> {
    const room = await this.rooms.require(roomId);
    await this.memberships.add(room._id, parseId(userId, 'viewer'));
    return room;
  }

  /** Idempotent; when a membership was removed, `member-left` goes out on the room's channel. NOT_FOUND for a missing room. */
  async leave(userId: string, roomId: string): Promise<ChatRoomDocument> {
    const room = await this.rooms.require(roomId);
    if (await this.memberships.remove(room._id, parseId(userId, 'viewer'))) {
      await this.events.publish({ type: ChatEventType.MemberLeft, roomId: room._id.toHexString(), userId });
    }
    return room;
  }

  /** Whether the user is a member of the room (one indexed read). */
  async isMember(userId: string, roomId: ReturnType<typeof parseId>): Promise<boolean> {
    const found = await this.memberships.parentsAmong(parseId(userId, 'viewer'), [roomId]);
    return found.has(roomId.toHexString());
  }
}
