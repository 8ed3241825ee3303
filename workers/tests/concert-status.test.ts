import { ObjectId, type Db } from 'mongodb';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createLogger, type Redis } from '@stagelives/platform';
import { scratchSuite } from '@stagelives/devkit';
import { concertEvent, concertEventsStream, decodeConcertEvent } from '@stagelives/schema';
import { eventOutbox } from '@stagelives/concerts/status';
import { bullConnection, bullPrefix } from '../src/connection.js';
import { ConcertStatusJob, createConcertStatusQueue } from '../src/concert-status/concert-status.queue.js';
import { createConcertStatusWorker } from '../src/concert-status/concert-status.worker.js';
import { applyStatusTransitions, statusLockKey, syncConcertStatuses } from '../src/concert-status/concert-status.processor.js';

const HOUR = 3600_000;
const NOW = new Date('2030-06-01T12:00:00Z');

describe('concert status worker', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl') });
  let db: Db;
  let redis: Redis;
  let redisPrefix: string;

  beforeAll(async () => {
    ({ redis, redisPrefix } = scratch);
    db = scratch.db('concerts');
  });
  beforeEach(async () => {
    await db.collection('concerts').deleteMany({});
    await scratch.clearKeys();
  });

  /** A concert as the concerts subgraph stores it, with a stored status the dates may contradict. */
  const concert = (title: string, status: string, startsAt: Date, endsAt: Date | null) => ({
    _id: new ObjectId(),
    title,
    status,
    startsAt,
    endsAt,
    effectiveEndsAt: endsAt ?? new Date(startsAt.getTime() + 4 * HOUR),
    updatedAt: new Date(startsAt.getTime() - 24 * HOUR),
  });

  /** Seven concerts, five of them due a change at `now`. */
  async function seed(now: Date) {
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

  const EXPECTED = {
    future: 'UPCOMING',
    started: 'ONGOING',
    'started, no end: default duration': 'ONGOING',
    'finished while stored as upcoming': 'COMPLETED',
    ended: 'COMPLETED',
    'no end, past default duration': 'COMPLETED',
    'cancelled in the past': 'CANCELLED',
  };

  const statuses = async () => Object.fromEntries((await db.collection('concerts').find().toArray()).map((d) => [d.title as string, d.status as string]));

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
      expect(await job.waitUntilFinished(events, 10_000)).toMatchObject({ changed: 5, skipped: false });
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      await connection.quit();
    }
    expect(await statuses()).toEqual(EXPECTED);
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

  it.each([
    ['with the lock', syncConcertStatuses],
    ['without the lock', applyStatusTransitions],
  ])('should apply and announce each transition exactly once when several runs race on the same concerts, %s', async (_, run) => {
    // Enough concerts per transition that the runs' updateMany calls overlap on FerretDB.
    const docs = await seed(NOW);
    const extra = Array.from({ length: 24 }, (_, i) =>
      i % 2
        ? concert(`race ${i}`, 'UPCOMING', new Date(NOW.getTime() - HOUR), new Date(NOW.getTime() + HOUR))
        : concert(`race ${i}`, 'ONGOING', new Date(NOW.getTime() - 3 * HOUR), new Date(NOW.getTime() - HOUR)),
    );
    await db.collection('concerts').insertMany(extra);
    const due = 5 + extra.length;

    const runs = await Promise.all(Array.from({ length: 6 }, () => run({ db, redis, redisPrefix, now: NOW })));
    expect(runs.reduce((n, r) => n + r.changed, 0)).toBe(due);
    const stored = await statuses();
    expect(stored).toMatchObject(EXPECTED);
    for (const [i, { title }] of extra.entries()) expect(stored[title], title).toBe(i % 2 ? 'ONGOING' : 'COMPLETED');

    const announced = await streamEvents();
    expect(announced).toHaveLength(due);
    expect(new Set(announced.map((e) => e?.payload.concertId)).size).toBe(due);
    expect(announced.every((e) => e?.type === 'concert.status-changed' && e.payload.cause === 'schedule')).toBe(true);
    const future = docs.find((d) => d.title === 'future')!;
    expect(announced.some((e) => e?.payload.concertId === future._id.toHexString())).toBe(false);
    // A later run finds nothing left to do.
    expect((await run({ db, redis, redisPrefix, now: NOW })).changed).toBe(0);
    expect(await streamEvents()).toHaveLength(due);
  });

  it('should skip a run while another holds the lock, and release the lock after its own run', async () => {
    await seed(NOW);
    await redis.set(statusLockKey(redisPrefix), 'another run', 'PX', 10_000);
    expect(await syncConcertStatuses({ db, redis, redisPrefix, now: NOW })).toEqual({ skipped: true, changed: 0, transitions: {}, republished: 0 });
    expect(await streamEvents()).toHaveLength(0);
    await redis.del(statusLockKey(redisPrefix));

    const result = await syncConcertStatuses({ db, redis, redisPrefix, now: NOW });
    expect(result).toMatchObject({ skipped: false, changed: 5, transitions: { 'UPCOMING->ONGOING': 2, 'UPCOMING->COMPLETED': 1, 'ONGOING->COMPLETED': 2 } });
    expect(await redis.exists(statusLockKey(redisPrefix))).toBe(0);
  });

  it('should announce a transition again after an admin moved the dates back', async () => {
    const [doc] = [concert('moved', 'UPCOMING', new Date(NOW.getTime() - HOUR), new Date(NOW.getTime() + HOUR))];
    await db.collection('concerts').insertOne(doc);
    expect((await applyStatusTransitions({ db, redis, redisPrefix, now: NOW })).transitions).toEqual({ 'UPCOMING->ONGOING': 1 });
    // What updateConcert stores when an admin moves the concert a day later.
    const later = NOW.getTime() + 24 * HOUR;
    await db.collection('concerts').updateOne(
      { _id: doc._id },
      {
        $set: {
          status: 'UPCOMING',
          startsAt: new Date(later - HOUR),
          endsAt: new Date(later + HOUR),
          effectiveEndsAt: new Date(later + HOUR),
          updatedAt: NOW,
        },
      },
    );
    expect((await applyStatusTransitions({ db, redis, redisPrefix, now: NOW })).changed).toBe(0);
    expect((await applyStatusTransitions({ db, redis, redisPrefix, now: new Date(later) })).transitions).toEqual({ 'UPCOMING->ONGOING': 1 });
    expect((await streamEvents()).map((e) => e?.payload)).toEqual([
      { concertId: doc._id.toHexString(), from: 'UPCOMING', to: 'ONGOING', cause: 'schedule' },
      { concertId: doc._id.toHexString(), from: 'UPCOMING', to: 'ONGOING', cause: 'schedule' },
    ]);
  });

  it('should append the events Redis refused earlier, oldest first, and empty the outbox', async () => {
    const outbox = eventOutbox(db);
    const kept = [concertEvent('concert.liked', { concertId: 'c1', userId: 'u1' }), concertEvent('concert.deleted', { concertId: 'c1' })];
    for (const event of kept) await outbox.insertOne({ event, failedAt: new Date() });
    const result = await syncConcertStatuses({ db, redis, redisPrefix, now: NOW });
    expect(result).toMatchObject({ skipped: false, changed: 0, republished: 2 });
    expect((await streamEvents()).map((e) => e?.id)).toEqual(kept.map((e) => e.id));
    expect(await outbox.countDocuments()).toBe(0);
  });
});
