import type { UserLinkRepository } from '@stagelives/platform';
import type { BaseContext } from '@stagelives/platform/subgraph';
import { createChatMessageLoader, createNewestMessageLoader } from './chat-message/chat-message.loader.js';
import type { ChatMessageRepository } from './chat-message/chat-message.repository.js';
import type { ChatMessageService } from './chat-message/chat-message.service.js';
import { createChatRoomLoader, createConcertChatRoomLoader } from './chat-room/chat-room.loader.js';
import type { ChatRoomRepository } from './chat-room/chat-room.repository.js';
import type { ChatRoomService } from './chat-room/chat-room.service.js';
import { createMemberCountLoader, createViewerIsMemberLoader } from './membership/membership.loader.js';
import type { MembershipService } from './membership/membership.service.js';
import type { ChatMuteRepository } from './mute/chat-mute.repository.js';
import type { RoomModerationService } from './room-moderation/room-moderation.service.js';

export interface ChatRepositories {
  rooms: ChatRoomRepository;
  messages: ChatMessageRepository;
  /** One document per (room, user): `roomId`, `userId`, `createdAt`. */
  memberships: UserLinkRepository;
  /** Members' mutes, one per (room, user), apart from the memberships. */
  mutes: ChatMuteRepository;
}

/** Per-request loaders: one query per kind per tick, however many rooms and messages a response holds. */
export function createChatLoaders(repos: ChatRepositories, viewerId: string | null) {
  return {
    room: createChatRoomLoader(repos.rooms),
    roomByConcert: createConcertChatRoomLoader(repos.rooms),
    memberCount: createMemberCountLoader(repos.memberships),
    viewerIsMember: createViewerIsMemberLoader(repos.memberships, viewerId),
    message: createChatMessageLoader(repos.messages),
    newestMessage: createNewestMessageLoader(repos.messages),
  };
}

type ChatLoaders = ReturnType<typeof createChatLoaders>;

export interface ChatContext extends BaseContext {
  rooms: ChatRoomService;
  memberships: MembershipService;
  messages: ChatMessageService;
  roomModeration: RoomModerationService;
  loaders: ChatLoaders;
}
