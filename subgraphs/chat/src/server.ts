import { AuditTrail, UserLinkRepository, pointReadsFor } from '@stagelives/platform';
import { createSubgraphServer, isAuthenticated, isVerifiedMember, type SubgraphDeps, type SubgraphServer } from '@stagelives/platform/subgraph';
import { ChatMessageRepository } from './chat-message/chat-message.repository.js';
import { ChatMessageService } from './chat-message/chat-message.service.js';
import { MessageModerationService } from './chat-message/message-moderation.service.js';
import { ChatRoomRepository } from './chat-room/chat-room.repository.js';
import { ChatRoomService } from './chat-room/chat-room.service.js';
import { createChatLoaders, type ChatContext, type ChatRepositories } from './context.js';
import { ChatEvents } from './events/chat-events.js';
import { startModerationConsumer } from './events/moderation.consumer.js';
import { startUserDeletedConsumer } from './events/user-deleted.consumer.js';
import { MembershipService } from './membership/membership.service.js';
import { ChatMuteRepository } from './mute/chat-mute.repository.js';
import { RoomModerationService, roomModerationAppliers } from './room-moderation/room-moderation.service.js';
import { buildSchema } from './schema.js';

/** Builds the chat subgraph server (never listens). Creates its indexes, idempotently. */
export async function createChatServer(deps: SubgraphDeps): Promise<SubgraphServer> {
  const { config, logger, mongo, redis, features } = deps;
  const db = mongo.db('chat');
  const repos: ChatRepositories = {
    rooms: new ChatRoomRepository(db, pointReadsFor(features)),
    messages: new ChatMessageRepository(db, pointReadsFor(features)),
    memberships: new UserLinkRepository(db, 'memberships', 'roomId'),
    mutes: new ChatMuteRepository(db),
  };
  const events = new ChatEvents(redis, config.REDIS_PREFIX, logger);
  // Room moderation (mutes, removals) and its audit entries: never one without the other.
  const trail = new AuditTrail({
    db,
    redis,
    redisPrefix: config.REDIS_PREFIX,
    logger,
    appliers: roomModerationAppliers({ rooms: repos.rooms, memberships: repos.memberships, mutes: repos.mutes, events }),
  });
  await Promise.all([
    repos.rooms.ensureIndexes(),
    repos.messages.ensureIndexes(),
    repos.memberships.ensureIndexes(),
    repos.mutes.ensureIndexes(),
    trail.ensureIndexes(),
  ]);

  // A deleted account leaves its rooms (memberCount counts live accounts only).
  const userDeleted = startUserDeletedConsumer({ redis, redisPrefix: config.REDIS_PREFIX, memberships: repos.memberships, events, logger });
  const rooms = new ChatRoomService(repos);
  const memberships = new MembershipService(rooms, repos.memberships, events);
  const messages = new ChatMessageService(repos, rooms, memberships, events, logger);
  const roomModeration = new RoomModerationService(rooms, trail);
  // Staff hid or restored a message (the moderation domain's events): applied to the message.
  const moderated = startModerationConsumer({
    redis,
    redisPrefix: config.REDIS_PREFIX,
    moderation: new MessageModerationService(repos.messages, events, logger),
    logger,
  });
  trail.start();

  const signedIn = isAuthenticated;
  // REQUIRE_VERIFIED_EMAIL: posting needs a verified email (EMAIL_NOT_VERIFIED), docs/users.md.
  const verified = isVerifiedMember(deps.env);
  const server = await createSubgraphServer<ChatContext>({
    name: 'chat',
    schema: await buildSchema(),
    deps,
    permissions: {
      Mutation: {
        createChatRoom: signedIn,
        joinChatRoom: signedIn,
        leaveChatRoom: signedIn,
        sendMessage: verified,
        // The room's owner or staff: decided by RoomModerationService (the owner is per room).
        muteChatMember: signedIn,
        removeChatMember: signedIn,
      },
    },
    createContext: (base) => ({ ...base, rooms, memberships, messages, roomModeration, loaders: createChatLoaders(repos, base.viewer?.userId ?? null) }),
  });
  return {
    httpServer: server.httpServer,
    listen: (port, host) => server.listen(port, host),
    close: async () => {
      await server.close();
      await userDeleted.stop();
      await moderated.stop();
      await trail.stop();
      await events.close();
    },
  };
}
