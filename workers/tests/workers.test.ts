import { ObjectId, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '@stagelives/platform';
import { scratchSuite } from '@stagelives/devkit';
import { concertEventsStream } from '@stagelives/schema';
import { bullConnection, bullPrefix } from '../src/connection.js';
import { ConcertStatusJob, RECOUNT_LIKES_EVERY_MS, createConcertStatusQueue } from '../src/concert-status/concert-status.queue.js';
import { SESSION_INDEX_PRUNE_EVERY_MS, SessionIndexJob, createSessionIndexQueue } from '../src/session-index/session-index.queue.js';
import { createWorkers, type Workers } from '../src/workers.js';

const HOUR = 3600_000;

describe(createWorkers.name, () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl') });
  let db: Db;
  beforeAll(async () => {
    db = scratch.db('concerts');
  });

  const staleConcert = (title: string) => ({
    _id: new ObjectId(),
    title,
    status: 'UPCOMING',
    startsAt: new Date(Date.now() - HOUR),
    endsAt: null,
    effectiveEndsAt: new Date(Date.now() + HOUR),
    updatedAt: new Date(Date.now() - 2 * HOUR),
  });
  const statusOf = async (id: ObjectId) => (await db.collection('concerts').findOne({ _id: id }))?.status;
  async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return check();
  }

  it('should keep one schedule per job when several processes start, run the status sync on it, and stop on close()', async () => {
    const stale = [staleConcert('a'), staleConcert('b')];
    await db.collection('concerts').insertMany(stale);
    const config = { REDIS_URL: inject('redisUrl'), REDIS_PREFIX: scratch.redisPrefix, SESSION_IDLE_TTL_SECONDS: 60, SESSION_ABSOLUTE_TTL_SECONDS: 600 };
    const deps = { config, redis: scratch.redis, mongo: scratch.mongo, logger: createLogger('test', 'silent'), every: { concertStatus: 200 } };

    // Two worker processes starting at the same time.
    const started: Workers[] = await Promise.all([createWorkers(deps), createWorkers(deps)]);
    const connection = bullConnection(inject('redisUrl'));
    const statusQueue = createConcertStatusQueue(connection, bullPrefix(scratch.redisPrefix));
    const sessionIndexQueue = createSessionIndexQueue(connection, bullPrefix(scratch.redisPrefix));
    try {
      expect(started.map((w) => [...w.queues].sort())).toEqual([
        ['concert-status', 'session-index'],
        ['concert-status', 'session-index'],
      ]);
      expect((await statusQueue.getJobSchedulers()).sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        expect.objectContaining({ key: ConcertStatusJob.RecountLikes, name: ConcertStatusJob.RecountLikes, every: RECOUNT_LIKES_EVERY_MS }),
        expect.objectContaining({ key: ConcertStatusJob.Sync, name: ConcertStatusJob.Sync, every: 200 }),
      ]);
      expect(await sessionIndexQueue.getJobSchedulers()).toEqual([
        expect.objectContaining({ key: SessionIndexJob.Prune, name: SessionIndexJob.Prune, every: SESSION_INDEX_PRUNE_EVERY_MS }),
      ]);

      // The schedule reaches our processor: the stale concerts move, announced once each, over several ticks.
      expect(await waitFor(async () => (await Promise.all(stale.map((c) => statusOf(c._id)))).every((s) => s === 'ONGOING'), 10_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 600));
      expect(await scratch.redis.xlen(concertEventsStream(scratch.redisPrefix))).toBe(2);
      expect((await statusQueue.getJobCounts('completed')).completed).toBeGreaterThan(1);
      expect((await statusQueue.getJobCounts('failed')).failed).toBe(0);
    } finally {
      await Promise.all(started.map((w) => w.close()));
    }

    // Closed: the schedule stays in Redis for the next start, but nothing here runs it.
    const later = staleConcert('after close');
    await db.collection('concerts').insertOne(later);
    expect(await waitFor(async () => (await statusOf(later._id)) !== 'UPCOMING', 1_000)).toBe(false);
    await statusQueue.obliterate({ force: true });
    await sessionIndexQueue.obliterate({ force: true });
    await statusQueue.close();
    await sessionIndexQueue.close();
    await connection.quit();
  });
});
