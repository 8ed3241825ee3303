import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger, createRedis } from '@stagelives/platform';
import { scratchSuite } from '@stagelives/devkit';
import { concertEventsStream, decodeConcertEvent } from '@stagelives/schema';
import { ConcertEvents, flushOutbox } from '../src/events/concert-events.js';
import { eventOutbox } from '../src/events/event-outbox.repository.js';

describe(ConcertEvents.name, () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl') });

  const stream = async () => (await scratch.redis.xrange(concertEventsStream(scratch.redisPrefix), '-', '+')).map(([, fields]) => decodeConcertEvent(fields));

  it('should append typed events to the stream, readable back', async () => {
    const events = new ConcertEvents(scratch.redis, scratch.redisPrefix, scratch.db('concerts'), createLogger('test', 'silent'));
    await events.emit(['concert.liked', { concertId: 'c1', userId: 'u1' }], ['concert.deleted', { concertId: 'c1' }]);
    const read = await stream();
    expect(read.map((e) => e?.type)).toEqual(['concert.liked', 'concert.deleted']);
    expect(read[0]).toMatchObject({ payload: { concertId: 'c1', userId: 'u1' } });
    expect(new Date(read[0]!.occurredAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    await scratch.redis.del(concertEventsStream(scratch.redisPrefix));
  });

  it('should keep events Redis refused in the outbox until they are flushed to the stream', async () => {
    const db = scratch.db('concerts');
    const down = createRedis('redis://127.0.0.1:1', { retryStrategy: () => null });
    down.on('error', () => undefined);
    try {
      await new ConcertEvents(down, scratch.redisPrefix, db, createLogger('test', 'silent')).emit(['concert.unliked', { concertId: 'c2', userId: 'u2' }]);
    } finally {
      down.disconnect();
    }
    expect(await stream()).toEqual([]);
    expect(await eventOutbox(db).countDocuments()).toBe(1);

    expect(await flushOutbox(db, scratch.redis, scratch.redisPrefix)).toBe(1);
    expect((await stream()).map((e) => e?.payload)).toEqual([{ concertId: 'c2', userId: 'u2' }]);
    expect(await eventOutbox(db).countDocuments()).toBe(0);
  });
});
