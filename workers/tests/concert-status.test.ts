import { randomBytes } from 'node:crypto';
import { ObjectId, type Db } from 'mongodb';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { connectMongo, createLogger, createRedis, redisReady, type Mongo, type Redis } from '@stagelives/platform';
import { concertEventsStream, decodeConcertEvent } from '@stagelives/schema';
import { syncConcertStatuses } from '@stagelives/concerts/status';
import { bullConnection, bullPrefix } from '../src/connection.js';
import { ConcertStatusJob, createConcertStatusQueue, scheduleConcertStatus } from '../src/concert-status/concert-status.queue.js';
import { createConcertStatusWorker } from '../src/concert-status/concert-status.worker.js';

const HOUR = 3600_000;
const NOW = new Date('2030-06-01T12:00:00Z');

describe('concert status worker', () => {
  const prefix = `t${randomBytes(4).toString('hex')}_`;
  const redisPrefix = `${prefix}:`;
  let mongo: Mongo;
  let db: Db;
  let redis: Redis;

  beforeAll(async () => {
    mongo = await connectMongo(inject('mongoUri'), { dbPrefix: prefix });
    db = mongo.db('concerts');
    redis = createRedis(inject('redisUrl'));
    await redisReady(redis);
  });
  afterAll(async () => {
    await db.dropDatabase();
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await mongo.close();
  });
  beforeEach(async () => {
    await db.collection('concerts').deleteMany({});
    await redis.del(concertEventsStream(redisPrefix));
  });

  /** Concerts as the concerts subgraph stores them, with a stored status the dates may contradict. */
  async function seed(now: Date) {
    const concert = (title: string, status: string, startsAt: Date, endsAt: Date | null) => ({
      _id: new ObjectId(),
      title,
      status,
      startsAt,
      endsAt,
      effectiveEndsAt: endsAt ?? new Date(startsAt.getTime() + 4 * HOUR),
    });
    const docs = [
      concert('future', 'UPCOMING', new Date(now.getTime() + HOUR), new Date(now.getTime() + 3 * HOUR)),
      concert('started', 'UPCOMING', new Date(now.getTime() - HOUR), new Date(now.getTime() + HOUR)),
      concert('started, no end: default duration', 'UPCOMING', new Date(now.getTime() - 2 * HOUR), null),
      concert('finished while stored as upcoming', 'UPCOMING', new Date(now.getTime() - 5 * HOUR), new Date(now.getTime() - 3 * HOUR)),
      concert('ended', 'ONGOING', new Date(now.getTime() - 3 * HOUR), new Date(now.getTime() - HOUR)),
      concert('no end, past default duration', 'ONGOING', new Date(now.getTime() - 5 * HOUR), null),
      concert('cancelled in the past', 'CANCELLED', new Date(now.getTime() - 3 * HOUR), new Date(now.getTime() - HOUR)),
    ];
    await db.collection('concerts').insertMany(docs);
    return docs;
  }

  const statuses = async () =>
    Object.fromEntries((await db.collection('concerts').find().toArray()).map((d) => [d.title as string, d.status as string]));

  const streamEvents = async () => (await redis.xrange(concertEventsStream(redisPrefix), '-', '+')).map(([, fields]) => decodeConcertEvent(fields));

  it('should move statuses by the dates through a real BullMQ job and announce each change on the stream', async () => {
    const docs = await seed(new Date());
    const connection = bullConnection(inject('redisUrl'));
    const queue = createConcertStatusQueue(connection, bullPrefix(redisPrefix));
    const events = new QueueEvents(queue.name, { connection: bullConnection(inject('redisUrl')), prefix: bullPrefix(redisPrefix) });
    const worker = createConcertStatusWorker({ connection, prefix: bullPrefix(redisPrefix), db, redis, redisPrefix, logger: createLogger('test', 'silent') });
    try {
      await events.waitUntilReady();
      const job = await queue.add(ConcertStatusJob.Sync, {});
      expect(await job.waitUntilFinished(events, 10_000)).toMatchObject({ changed: 5 });
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      await connection.quit();
    }
    expect(await statuses()).toEqual({
      future: 'UPCOMING',
      started: 'ONGOING',
      'started, no end: default duration': 'ONGOING',
      'finished while stored as upcoming': 'COMPLETED',
      ended: 'COMPLETED',
      'no end, past default duration': 'COMPLETED',
      'cancelled in the past': 'CANCELLED',
    });
    const announced = await streamEvents();
    expect(announced).toHaveLength(5);
    const started = docs.find((d) => d.title === 'started')!;
    expect(announced).toContainEqual(
      expect.objectContaining({
        type: 'concert.status-changed',
        payload: { concertId: started._id.toHexString(), from: 'UPCOMING', to: 'ONGOING', cause: 'schedule' },
      }),
    );
    expect(announced.filter((e) => e?.payload.concertId === started._id.toHexString())).toHaveLength(1);
  });

  it('should apply and announce each transition once when several workers run at the same time', async () => {
    await seed(NOW);
    const runs = await Promise.all([1, 2, 3, 4].map(() => syncConcertStatuses({ db, redis, redisPrefix, now: NOW })));
    expect(runs.reduce((n, r) => n + r.changed, 0)).toBe(5);
    expect(runs.filter((r) => !r.skipped)).toHaveLength(1);
    const announced = await streamEvents();
    expect(announced).toHaveLength(5);
    expect(new Set(announced.map((e) => e?.payload.concertId)).size).toBe(5);
    // A later run finds nothing left to do.
    expect((await syncConcertStatuses({ db, redis, redisPrefix, now: NOW })).changed).toBe(0);
  });

  it('should keep one schedule when several workers start', async () => {
    const connection = bullConnection(inject('redisUrl'));
    const queue = createConcertStatusQueue(connection, bullPrefix(redisPrefix));
    try {
      await Promise.all([scheduleConcertStatus(queue), scheduleConcertStatus(queue), scheduleConcertStatus(queue, 30_000)]);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]).toMatchObject({ key: ConcertStatusJob.Sync });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await connection.quit();
    }
  });
});
