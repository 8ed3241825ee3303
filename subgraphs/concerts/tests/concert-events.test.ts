import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectMongo, createLogger, createRedis, redisReady, type Mongo, type Redis } from '@stagelives/platform';
import { concertEventsStream, decodeConcertEvent } from '@stagelives/schema';
import { ConcertEvents, eventOutbox, flushOutbox } from '../src/events/concert-events.js';

describe(ConcertEvents.name, () => {
  const prefix = `t${randomBytes(4).toString('hex')}_`;
  const redisPrefix = `${prefix}:`;
  let mongo: Mongo;
  let redis: Redis;
  beforeAll(async () => {
    mongo = await connectMongo(inject('mongoUri'), { dbPrefix: prefix });
    redis = createRedis(inject('redisUrl'));
    await redisReady(redis);
  });
  afterAll(async () => {
    await mongo.db('concerts').dropDatabase();
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await mongo.close();
  });

  const stream = async () => (await redis.xrange(concertEventsStream(redisPrefix), '-', '+')).map(([, fields]) => decodeConcertEvent(fields));

  it('should append typed events to the stream, readable back', async () => {
    const events = new ConcertEvents(redis, redisPrefix, mongo.db('concerts'), createLogger('test', 'silent'));
    await events.emit(['concert.liked', { concertId: 'c1', userId: 'u1' }], ['concert.deleted', { concertId: 'c1' }]);
    const read = await stream();
    expect(read.map((e) => e?.type)).toEqual(['concert.liked', 'concert.deleted']);
    expect(read[0]).toMatchObject({ payload: { concertId: 'c1', userId: 'u1' } });
    expect(new Date(read[0]!.occurredAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    await redis.del(concertEventsStream(redisPrefix));
  });

  it('should keep events Redis refused in the outbox until they are flushed to the stream', async () => {
    const db = mongo.db('concerts');
    const down = createRedis('redis://127.0.0.1:1', { retryStrategy: () => null });
    down.on('error', () => undefined);
    try {
      await new ConcertEvents(down, redisPrefix, db, createLogger('test', 'silent')).emit(['concert.unliked', { concertId: 'c2', userId: 'u2' }]);
    } finally {
      down.disconnect();
    }
    expect(await stream()).toEqual([]);
    expect(await eventOutbox(db).countDocuments()).toBe(1);

    expect(await flushOutbox(db, redis, redisPrefix)).toBe(1);
    expect((await stream()).map((e) => e?.payload)).toEqual([{ concertId: 'c2', userId: 'u2' }]);
    expect(await eventOutbox(db).countDocuments()).toBe(0);
  });
});
