import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectMongo, createLogger, createRedis, redisReady, type Mongo, type Redis } from '@stagelives/platform';
import { concertEvent, concertEventsStream, publishConcertEvents } from '@stagelives/schema';
import { SETLISTS_CONSUMER_GROUP, startConcertDeletedConsumer } from '../src/events/concert-deleted.consumer.js';
import { SetlistRepository } from '../src/setlist/setlist.repository.js';

describe(startConcertDeletedConsumer.name, () => {
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
    await mongo.db('setlists').dropDatabase();
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await mongo.close();
  });

  it('should delete the setlist of a deleted concert only, and acknowledge every entry', async () => {
    const setlists = new SetlistRepository(mongo.db('setlists'));
    await setlists.ensureIndexes();
    const [deleted, kept] = [new ObjectId(), new ObjectId()];
    for (const concertId of [deleted, kept]) await setlists.upsert(concertId, [{ order: 1, title: 'Song', artist: null }], [], new Date());
    await publishConcertEvents(redis, redisPrefix, [
      concertEvent('concert.liked', { concertId: kept.toHexString(), userId: 'u1' }),
      concertEvent('concert.deleted', { concertId: 'not an id' }),
      concertEvent('concert.deleted', { concertId: deleted.toHexString() }),
    ]);

    const consumer = startConcertDeletedConsumer({ redis, redisPrefix, setlists, logger: createLogger('test', 'silent'), blockMs: 100 });
    try {
      const stream = concertEventsStream(redisPrefix);
      const deadline = Date.now() + 5_000;
      const settled = async () => (await setlists.findByConcertIds([deleted])).length === 0 && Number((await redis.xpending(stream, SETLISTS_CONSUMER_GROUP))[0]) === 0;
      while (!(await settled().catch(() => false)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await setlists.findByConcertIds([deleted, kept])).map((s) => s.concertId.toHexString())).toEqual([kept.toHexString()]);
      const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
      expect(groups).toHaveLength(1);
      expect(Object.fromEntries(Array.from({ length: groups[0]!.length / 2 }, (_, i) => [groups[0]![2 * i], groups[0]![2 * i + 1]]))).toMatchObject({
        name: SETLISTS_CONSUMER_GROUP,
        pending: 0,
      });
    } finally {
      await consumer.stop();
    }
  });
});
