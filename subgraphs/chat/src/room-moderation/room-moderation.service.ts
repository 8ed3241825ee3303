import type { AuditApplier, AuditTrail, UserLinkRepository } from '@stagelives/platform';
import { isStaffMember } from '@stagelives/platform/subgraph';
import { BadUserInputError, ChatEventType, ForbiddenError, NotFoundError, parseId, type Identity } from '@stagelives/schema';
import type { ChatRoomRepository } from '../chat-room/chat-room.repository.js';
import type { ChatRoomService } from '../chat-room/chat-room.service.js';
import type { ChatRoomDocument } from '../chat-room/chat-room.type.js';
import type { ChatEventPublisher } from '../events/chat-events.js';
import type { ChatMuteRepository } from '../mute/chat-mute.repository.js';

/** How long a mute may last, in minutes: 1 minute to 7 days. */
const MUTE_MINUTES = { min: 1, max: 10_080 } as const;

/**
 * The audited room actions, applied from their stored arguments (platform's AuditTrail applies a
 * pending one again after a crash): both idempotent. A mute stores its end (`until`), computed
 * once when staff acted, so applying it again sets the same mute; a removal removes a membership
 * that may be gone already and announces `member-left` again (which ends nothing twice).
 */
export function roomModerationAppliers({
  rooms,
  memberships,
  mutes,
  events,
}: {
  rooms: ChatRoomRepository;
  memberships: UserLinkRepository;
  mutes: ChatMuteRepository;
  events: ChatEventPublisher;
}): { CHAT_MEMBER_MUTED: AuditApplier; CHAT_MEMBER_REMOVED: AuditApplier } {
  const roomOf = async (command: Record<string, unknown>): Promise<ChatRoomDocument> => {
    const room = await rooms.findById(parseId(String(command.roomId), 'roomId'));
    if (!room) throw new NotFoundError('Chat room', String(command.roomId));
    return room;
  };
  return {
    CHAT_MEMBER_MUTED: async (command) => {
      const room = await roomOf(command);
      await mutes.set({
        roomId: room._id,
        userId: parseId(String(command.userId), 'userId'),
        until: new Date(String(command.until)),
        actorId: parseId(String(command.actorId), 'actorId'),
        createdAt: new Date(String(command.at)),
      });
      return room;
    },
    CHAT_MEMBER_REMOVED: async (command) => {
      const room = await roomOf(command);
      const userId = String(command.userId).toLowerCase();
      await memberships.remove(room._id, parseId(userId, 'userId'));
      await events.publish({ type: ChatEventType.MemberLeft, roomId: room._id.toHexString(), userId });
      return room;
    },
  };
}

/**
 * Room moderation: the room's owner (its creator) and staff mute a member for a while or remove
 * them from the room. Each action goes through the chat domain's audit trail (the action and its
 * entry never one without the other).
 */
export class RoomModerationService {
  constructor(
    private readonly rooms: ChatRoomService,
    private readonly trail: Pick<AuditTrail, 'record'>,
  ) {}

  /** Mutes `userId` in the room for `minutes` (1–10,080); a later mute replaces an earlier one. */
  async mute(viewer: Identity, roomId: string, userId: string, minutes: number, now = new Date()): Promise<ChatRoomDocument> {
    const room = await this.authorize(viewer, roomId, userId, 'mute');
    if (!Number.isSafeInteger(minutes) || minutes < MUTE_MINUTES.min || minutes > MUTE_MINUTES.max) {
      throw new BadUserInputError(`minutes must be a whole number from ${MUTE_MINUTES.min} to ${MUTE_MINUTES.max} (7 days).`, 'minutes');
    }
    const until = new Date(now.getTime() + minutes * 60_000);
    const target = userId.toLowerCase();
    return this.trail.record<ChatRoomDocument>(
      {
        actorId: viewer.userId,
        action: 'CHAT_MEMBER_MUTED',
        targetType: 'USER',
        targetId: target,
        details: { roomId: room._id.toHexString(), minutes: String(minutes) },
      },
      { roomId: room._id.toHexString(), userId: target, until: until.toISOString(), actorId: viewer.userId, at: now.toISOString() },
      now,
    );
  }

  /** Ends `userId`'s membership of the room and their live subscriptions to it; they may join again (unless muted, they may also send). */
  async remove(viewer: Identity, roomId: string, userId: string, now = new Date()): Promise<ChatRoomDocument> {
    const room = await this.authorize(viewer, roomId, userId, 'remove');
    const target = userId.toLowerCase();
    return this.trail.record<ChatRoomDocument>(
      { actorId: viewer.userId, action: 'CHAT_MEMBER_REMOVED', targetType: 'USER', targetId: target, details: { roomId: room._id.toHexString() } },
      { roomId: room._id.toHexString(), userId: target },
      now,
    );
  }

  /** The room (NOT_FOUND), when the viewer owns it or is staff (FORBIDDEN otherwise) and the target is someone else. */
  private async authorize(viewer: Identity, roomId: string, userId: string, verb: string): Promise<ChatRoomDocument> {
    const room = await this.rooms.require(roomId);
    if (room.createdById.toHexString() !== viewer.userId.toLowerCase() && !isStaffMember(viewer)) {
      throw new ForbiddenError(`Only the room's owner and staff can ${verb} its members.`);
    }
    const target = parseId(userId, 'userId');
    if (target.toHexString() === viewer.userId.toLowerCase()) throw new BadUserInputError(`You cannot ${verb} yourself.`, 'userId');
    return room;
  }
}
