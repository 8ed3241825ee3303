import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis as PlainRedis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore, createRedis, duplicateRedis, redisReady, type Redis } from '@stagelives/platform';
import { bullConnection, bullPrefix } from '@stagelives/workers/notifications';
import { startSentinelGroup, until, type Topology } from './topologies.js';

const port = async (redis: Redis) => Number(((await redis.config('GET', 'port')) as string[])[1]);

describe('Redis Sentinel through platform’s factory (a real master, replica and sentinel)', () => {
  let group: Topology;
  let redis: Redis;
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  const sessions = () => SessionStore.fromConfig(redis, { REDIS_PREFIX: prefix, SESSION_IDLE_TTL_SECONDS: 600, SESSION_ABSOLUTE_TTL_SECONDS: 3600 });

  beforeAll(async () => {
    group = await startSentinelGroup({ replica: true });
    redis = createRedis(group.url);
    redis.on('error', () => undefined);
    await redisReady(redis);
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await group?.stop();
  });

  it('should reach the master the sentinel names, and keep sessions and rate limits there', async () => {
    expect(await port(redis)).toBe(group.ports.master);
    expect(await redis.call('ROLE')).toContainEqual('master');

    const store = sessions();
    const { token, session } = await store.create('u1', ['USER']);
    expect(await store.resolve(token)).toMatchObject({ id: session.id, userId: 'u1' });
    const other = await store.create('u1', ['USER']);
    expect(await store.deleteAllForUser('u1', session.id)).toBe(1);
    expect(await store.resolve(other.token)).toBeNull();
    expect(await store.resolve(token)).not.toBeNull();

    // The router's and chat's limiters are rate-limiter-flexible on this client: two clients
    // (two router instances) share one count.
    const second = createRedis(group.url);
    second.on('error', () => undefined);
    await redisReady(second);
    const limiter = (client: Redis) => new RateLimiterRedis({ storeClient: client, keyPrefix: `${prefix}rl:test`, points: 3, duration: 60 });
    await limiter(redis).consume('ip-1');
    await limiter(second).consume('ip-1');
    await limiter(redis).consume('ip-1');
    await expect(limiter(second).consume('ip-1')).rejects.toMatchObject({ remainingPoints: 0 });
    second.disconnect();
  });

  it('should run BullMQ jobs through it, under the hash-tagged prefix', async () => {
    const connection = bullConnection(group.url);
    const queue = new Queue('sentinel-check', { connection, prefix: bullPrefix(prefix) });
    const done: string[] = [];
    const worker = new Worker('sentinel-check', async (job) => void done.push(job.name), { connection, prefix: bullPrefix(prefix) });
    try {
      await queue.add('one', {});
      await queue.add('two', {}, { delay: 200 });
      await until(() => done.length === 2, 10_000, 'both jobs');
      expect(done.sort()).toEqual(['one', 'two']);
      expect(await redis.keys(`${prefix}{bull}:sentinel-check:*`)).not.toEqual([]);
    } finally {
      await worker.close();
      await queue.close();
      connection.disconnect();
    }
  });

  it('should follow a failover to the promoted replica: sessions survive, writes and pub/sub resume', async () => {
    const store = sessions();
    const before = await store.create('u2', ['USER']);
    const subscriber = duplicateRedis(redis, { enableOfflineQueue: true, maxRetriesPerRequest: null });
    subscriber.on('error', () => undefined);
    const received: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => received.push(message));
    await subscriber.subscribe(`${prefix}chat:room:r1`);
    // Wait until the replica has the session (replication is asynchronous: a failover loses what
    // the master had not sent yet; see docs/production.md, Scaling).
    const replica = new PlainRedis(group.ports.replica!, '127.0.0.1');
    await until(async () => (await replica.exists(`${prefix}sess:${before.session.id}`)) === 1, 5_000, 'the session on the replica');
    replica.disconnect();

    const sentinel = new PlainRedis(group.ports.sentinel!, '127.0.0.1');
    expect(await sentinel.call('SENTINEL', 'FAILOVER', 'mymaster')).toBe('OK');
    await until(
      async () => ((await sentinel.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')) as string[])[1] === String(group.ports.replica),
      15_000,
      'the sentinel to promote the replica',
    );
    sentinel.disconnect();

    // The same client (fail-fast, as every process's) is on the new master once it reconnects.
    await until(
      async () => (await port(redis)) === group.ports.replica && ((await redis.call('ROLE')) as unknown[])[0] === 'master',
      20_000,
      'the client on the new master',
    );
    expect(await store.resolve(before.token)).toMatchObject({ userId: 'u2' });
    const after = await store.create('u2', ['USER']);
    expect(await store.resolve(after.token)).toMatchObject({ userId: 'u2' });

    // The pub/sub connection moved too (ioredis resubscribes), so chat events keep flowing.
    await until(
      async () => {
        await redis.publish(`${prefix}chat:room:r1`, 'after failover');
        return received.includes('after failover');
      },
      20_000,
      'a message through the new master',
    );
    subscriber.disconnect();
  }, 60_000);
});
