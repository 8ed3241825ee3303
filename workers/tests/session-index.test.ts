import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { QueueEvents } from 'bullmq';
import { SessionStore, createLogger } from '@stagelives/platform';
import { scratchSuite } from '@stagelives/devkit';
import { bullConnection, bullPrefix } from '../src/connection.js';
import { SessionIndexJob, createSessionIndexQueue } from '../src/session-index/session-index.queue.js';
import { createSessionIndexWorker } from '../src/session-index/session-index.worker.js';

describe('session-index worker', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { redisUrl: inject('redisUrl') });

  it('should drop expired sessions from user indexes through a real BullMQ job', async () => {
    const sessions = new SessionStore({ redis: scratch.redis, prefix: scratch.redisPrefix, idleTtlSeconds: 60, absoluteTtlSeconds: 600 });
    const kept = await sessions.create('u1', ['USER']);
    const gone = await sessions.create('u1', ['USER']);
    await scratch.redis.del(`${scratch.redisPrefix}sess:${gone.session.id}`); // as if its TTL ran out

    const connection = bullConnection(inject('redisUrl'));
    const queue = createSessionIndexQueue(connection, bullPrefix(scratch.redisPrefix));
    const events = new QueueEvents(queue.name, { connection: bullConnection(inject('redisUrl')), prefix: bullPrefix(scratch.redisPrefix) });
    const worker = createSessionIndexWorker({ connection, prefix: bullPrefix(scratch.redisPrefix), sessions, logger: createLogger('test', 'silent') });
    try {
      await events.waitUntilReady();
      const job = await queue.add(SessionIndexJob.Prune, {});
      expect(await job.waitUntilFinished(events, 10_000)).toBe(1);
      expect(await scratch.redis.smembers(`${scratch.redisPrefix}usess:u1`)).toEqual([kept.session.id]);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      await connection.quit();
    }
  });
});
