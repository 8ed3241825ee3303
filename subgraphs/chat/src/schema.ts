import type { PubSub } from 'type-graphql';
import { buildFederatedSchema } from '@stagelives/schema';
import { chatMessageReferenceResolver } from './chat-message/chat-message.reference.js';
import { ChatMessageConnectionResolver, ChatMessageResolver, servedByTheRouter } from './chat-message/chat-message.resolver.js';
import { chatRoomReferenceResolver } from './chat-room/chat-room.reference.js';
import { ChatRoomResolver } from './chat-room/chat-room.resolver.js';
import { ConcertChatRoomResolver } from './concert/concert-chat-room.resolver.js';
import { concertReferenceResolver } from './concert/concert.reference.js';
import { userReferenceResolver } from './user/user.reference.js';

/**
 * type-graphql 2.0.0-rc.4 refuses to build a schema with a `@Subscription` unless a pubSub is
 * given, even when the subscription has its own `subscribe`. The subgraph never serves
 * subscriptions (the router does, from the Redis channels ChatEvents publishes on), so this
 * one only refuses.
 */
const routerServesSubscriptions: PubSub = { publish: servedByTheRouter, subscribe: servedByTheRouter };

/** The chat subgraph schema. */
export function buildSchema() {
  return buildFederatedSchema(
    { resolvers: [ChatRoomResolver, ChatMessageResolver, ChatMessageConnectionResolver, ConcertChatRoomResolver], pubSub: routerServesSubscriptions },
    { ...chatRoomReferenceResolver, ...chatMessageReferenceResolver, ...concertReferenceResolver, ...userReferenceResolver },
  );
}
