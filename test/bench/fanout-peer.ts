/**
 * The fan-out benchmark's peer (forked by `fanout.ts`): a plain graphql-ws 6 server
 * (`useServer` from 'graphql-ws/use/ws' on `ws`) with a small executable schema whose
 * `messageAdded(roomId)` resolves from a graphql-redis-subscriptions `RedisPubSub` async
 * iterator. That is the standard per-subscriber execution: every subscriber executes the
 * selection over the event and serialises its own payload. The bench publishes the same message
 * payloads the router would read (id, body, createdAt, author) on `<PEER_CHANNEL_PREFIX><roomId>`.
 *
 * Environment: REDIS_URL, PEER_CHANNEL_PREFIX. Announces `{ type: 'listening', name: 'peer', port }`.
 */
import { createServer } from 'node:http';
import { buildSchema, type GraphQLFieldConfig } from 'graphql';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { announceListening, createRedis, listen } from '@stagelives/platform';

const redisUrl = process.env.REDIS_URL;
const channelPrefix = process.env.PEER_CHANNEL_PREFIX ?? 'peer:';
if (!redisUrl) throw new Error('REDIS_URL is required');

const schema = buildSchema(/* GraphQL */ `
  type User {
    id: ID!
    nickname: String!
    avatarUrl: String
  }
  type ChatMessage {
    id: ID!
    seq: Int!
    body: String!
    createdAt: String!
    author: User
  }
  type Query {
    health: Boolean
  }
  type Subscription {
    messageAdded(roomId: ID!): ChatMessage!
  }
`);

const subscriber = createRedis(redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: null });
const publisher = createRedis(redisUrl, { lazyConnect: true });
subscriber.on('error', () => undefined);
publisher.on('error', () => undefined);
const pubsub = new RedisPubSub({ subscriber, publisher });

const messageAdded = schema.getSubscriptionType()!.getFields().messageAdded! as unknown as GraphQLFieldConfig<unknown, unknown, { roomId: string }>;
messageAdded.subscribe = (_source, { roomId }) => pubsub.asyncIterator(`${channelPrefix}${roomId}`);
messageAdded.resolve = (payload) => payload;

const httpServer = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server: httpServer, path: '/graphql', perMessageDeflate: false });
const server = useServer({ schema }, wss);

const port = await listen(httpServer, 0, '127.0.0.1');
announceListening('peer', port);

const stop = async () => {
  await server.dispose();
  httpServer.close();
  await pubsub.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
