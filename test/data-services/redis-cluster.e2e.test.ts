import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis as PlainRedis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { SessionStore, createLogger, createRedis, duplicateRedis, isRedisCluster, redisReady, startStreamConsumer, type Redis } from '@stagelives/platform';
import { chatRoomChannel } from '@stagelives/schema';
import { bullConnection, bullPrefix } from '@stagelives/workers/notifications';
import { ChatEvents } from '../../subgraphs/chat/src/events/chat-events.js';
import { CacheStore } from '../../router/src/response-cache/store.js';
import { createStack, ok, signUp, type Stack } from '../support/stack.js';
import { MESSAGE_ADDED, SEND, collect, roomWithMember, wsClient } from '../support/live.js';
import { startCluster, until } from './topologies.js';

const logger = createLogger('cluster-test', 'silent');

describe('Redis Cluster through platform’s factory (three real masters)', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let redis: Redis;
  const prefix = `t${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    cluster = await startCluster();
    redis = createRedis(cluster.url);
    redis.on('error', () => undefined);
    await redisReady(redis);
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  it('should keep sessions (two slots per user: no MULTI), prune their indexes on every master, and share rate limits', async () => {
    expect(isRedisCluster(redis)).toBe(true);
    const store = SessionStore.fromConfig(redis, { REDIS_PREFIX: prefix, SESSION_IDLE_TTL_SECONDS: 600, SESSION_ABSOLUTE_TTL_SECONDS: 3600 });
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => store.create(`u${i % 4}`, ['USER'])));
    for (const { token, session } of created) expect(await store.resolve(token)).toMatchObject({ id: session.id });
    expect(await store.deleteAllForUser('u0', created[0]!.session.id)).toBe(2);
    expect(await store.resolve(created[4]!.token)).toBeNull();
    await store.delete(created[1]!.session.id, 'u1');
    expect(await store.resolve(created[1]!.token)).toBeNull();
    // Expire two sessions by hand; the prune finds their index entries wherever the index lives.
    await redis.del(`${prefix}sess:${created[2]!.session.id}`);
    await redis.del(`${prefix}sess:${created[3]!.session.id}`);
    expect(await store.pruneUserIndexes()).toBe(2);
    const slots = new Set(await Promise.all(['u0', 'u1', 'u2', 'u3'].map((u) => redis.call('CLUSTER', 'KEYSLOT', `${prefix}usess:${u}`))));
    expect(slots.size).toBeGreaterThan(1);

    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}rl:test`, points: 2, duration: 60 });
    await limiter.consume('ip-1');
    await limiter.consume('ip-1');
    await expect(limiter.consume('ip-1')).rejects.toMatchObject({ remainingPoints: 0 });
  });

  it('should run the response cache’s scripts (every key in the {rc} slot)', async () => {
    const cache = new CacheStore(redis, prefix);
    const { now } = await cache.lookup('h1');
    expect(await cache.store('h1', { data: { a: 1 }, scope: 'PUBLIC' }, ['Concert:1', 'type:Concert'], 60_000, now)).toBe(true);
    expect(JSON.parse((await cache.lookup('h1')).raw!)).toEqual({ data: { a: 1 }, scope: 'PUBLIC' });
    expect(await cache.purge(['Concert:1'])).toBe(1);
    expect((await cache.lookup('h1')).raw).toBeNull();
    // A read that started before the purge does not store.
    expect(await cache.store('h1', { data: { a: 0 }, scope: 'PUBLIC' }, ['Concert:1'], 60_000, now)).toBe(false);
  });

  it('should deliver chat events published on any node to a subscriber on another (regular PUBLISH is cluster-wide)', async () => {
    const subscriber = duplicateRedis(redis, { enableOfflineQueue: true, maxRetriesPerRequest: null });
    const publisher = duplicateRedis(redis, { lazyConnect: true });
    subscriber.on('error', () => undefined);
    const pubsub = new RedisPubSub({ subscriber, publisher });
    const channel = chatRoomChannel(prefix, 'room-1');
    const received: unknown[] = [];
    await pubsub.subscribe(channel, (message: unknown) => void received.push(message));
    // One plain connection per node: every node forwards PUBLISH to the subscriber's node.
    for (const node of cluster.nodes) {
      const direct = new PlainRedis(node, '127.0.0.1');
      await direct.publish(channel, JSON.stringify({ from: node }));
      direct.disconnect();
    }
    // And the chat subgraph's own publisher, on a Cluster client (its connection fails fast until
    // it is ready, as on one server: publish until one arrives).
    const events = new ChatEvents(redis, prefix, logger);
    await until(
      async () => {
        if (received.length === cluster.nodes.length) await events.publish({ type: 'MESSAGE_ADDED', roomId: 'room-1', messageId: 'm1', seq: 1 } as never);
        return received.length > cluster.nodes.length;
      },
      5_000,
      'the chat publisher',
    );
    await until(() => received.length === cluster.nodes.length + 1, 5_000, 'every publish').catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(received)}`);
    });
    // Publishes on different nodes reach the subscriber through the cluster bus in no set order.
    const [fromNodes, last] = [received.slice(0, cluster.nodes.length), received[cluster.nodes.length]];
    expect(fromNodes).toHaveLength(cluster.nodes.length);
    expect(fromNodes).toEqual(expect.arrayContaining(cluster.nodes.map((from) => ({ from }))));
    expect(last).toEqual(expect.objectContaining({ roomId: 'room-1', seq: 1 }));
    await events.close();
    pubsub.close().catch(() => undefined);
    subscriber.disconnect();
    publisher.disconnect();
  });

  it('should run BullMQ (hash-tagged prefix: one slot per queue) and stream consumer groups', async () => {
    const connection = bullConnection(cluster.url);
    const queue = new Queue('cluster-check', { connection, prefix: bullPrefix(prefix) });
    const done: string[] = [];
    const worker = new Worker('cluster-check', async (job) => void done.push(job.name), { connection, prefix: bullPrefix(prefix) });
    const stream = `${prefix}events:test`;
    const handled: string[] = [];
    const consumer = startStreamConsumer({ redis, stream, group: 'g', logger, blockMs: 200, handle: async (_id, fields) => void handled.push(fields[1]!) });
    try {
      await queue.add('one', {});
      await queue.add('two', {}, { delay: 200 });
      await redis.xadd(stream, '*', 'n', 'a');
      await redis.xadd(stream, '*', 'n', 'b');
      await until(() => done.length === 2 && handled.length === 2, 10_000, 'jobs and stream entries');
      expect(done.sort()).toEqual(['one', 'two']);
      expect(handled).toEqual(['a', 'b']);
    } finally {
      await consumer.stop();
      await worker.close();
      await queue.close();
      connection.disconnect();
    }
  });

  describe('the whole graph on the Cluster', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await createStack({ MONGODB_URI: inject('mongoUri'), REDIS_URL: cluster.url, FIELD_RATE_LIMIT_FACTOR: '1000' });
    }, 60_000);
    afterAll(async () => {
      await stack?.close().catch(() => undefined);
    });

    it('should sign up, cache, and deliver chat messages to subscribers of two routers', async () => {
      const { roomId, owner } = await roomWithMember(stack);
      const viewer = await signUp(stack);
      await ok(stack, 'mutation($roomId: ID!) { joinChatRoom(roomId: $roomId) { id } }', { roomId }, { token: viewer.token });
      const second = await stack.extraRouter();
      const a = wsClient(stack.wsUrl, owner.token);
      const b = wsClient(second.wsUrl, viewer.token);
      try {
        const feedA = collect(a, MESSAGE_ADDED, { roomId });
        const feedB = collect(b, MESSAGE_ADDED, { roomId });
        await until(() => stack.router.subscriptions.watchedRooms > 0 && second.router.subscriptions.watchedRooms > 0, 10_000, 'both routers watching');
        await new Promise((r) => setTimeout(r, 200));
        for (let i = 1; i <= 5; i += 1) await ok(stack, SEND, { roomId, body: `m${i}` }, { token: i % 2 ? owner.token : viewer.token });
        const bodies = (feed: typeof feedA) => feed.results.map((r) => r.data?.messageAdded.body);
        await feedA.waitFor(5);
        await feedB.waitFor(5);
        expect(bodies(feedA)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
        expect(bodies(feedB)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
        // A public read twice: the second from the response cache, on the Cluster.
        const q = '{ concerts(first: 3) { totalCount } }';
        expect(await ok(stack, q, {})).toEqual(await ok(stack, q, {}));
        // Log-out ends the session everywhere.
        await ok(stack, 'mutation { logOut }', {}, { token: viewer.token });
        const me = await fetch(stack.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer.token}` },
          body: JSON.stringify({ query: '{ me { id } }' }),
        });
        expect(((await me.json()) as { data: { me: unknown } }).data.me).toBeNull();
      } finally {
        await a.dispose();
        await b.dispose();
        await second.close();
      }
    }, 60_000);
  });
});
