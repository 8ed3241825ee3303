import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { QueueEvents } from 'bullmq';
import { SessionStore, createLogger, createRedis, redisReady, type Redis } from '@stagelives/platform';
import { bullConnection, bullPrefix } from '../src/connection.js';
import { MaintenanceJob, createMaintenanceQueue } from '../src/maintenance/maintenance.queue.js';
import { createMaintenanceWorker } from '../src/maintenance/maintenance.worker.js';

describe('maintenance worker', () => {
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  let redis: Redis;
  beforeAll(async () => {
    redis = createRedis(inject('redisUrl'));
    await redisReady(redis);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('should drop expired sessions from user indexes through a real BullMQ job', async () => {
    const sessions = new SessionStore({ redis, prefix, idleTtlSeconds: 60, absoluteTtlSeconds: 600 });
    const kept = await sessions.create('u1', ['USER']);
    const gone = await sessions.create('u1', ['USER']);
    await redis.del(`${prefix}sess:${gone.session.id}`); // as if its TTL ran out

    const connection = bullConnection(inject('redisUrl'));
    const queue = createMaintenanceQueue(connection, bullPrefix(prefix));
    const events = new QueueEvents(queue.name, { connection: bullConnection(inject('redisUrl')), prefix: bullPrefix(prefix) });
    const worker = createMaintenanceWorker({ connection, prefix: bullPrefix(prefix), sessions, logger: createLogger('test', 'silent') });
    try {
      await events.waitUntilReady();
      const job = await queue.add(MaintenanceJob.PruneSessionIndex, {});
      expect(await job.waitUntilFinished(events, 10_000)).toBe(1);
      expect(await redis.smembers(`${prefix}usess:u1`)).toEqual([kept.session.id]);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      await connection.quit();
    }
  });
});
