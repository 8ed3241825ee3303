import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '@stagelives/platform';
import { scratchSuite } from '@stagelives/devkit';
import { concertEvent, concertEventsStream, publishConcertEvents } from '@stagelives/schema';
import { SETLISTS_CONSUMER_GROUP, startConcertDeletedConsumer } from '../src/events/concert-deleted.consumer.js';
import { SetlistRepository } from '../src/setlist/setlist.repository.js';

describe(startConcertDeletedConsumer.name, () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl') });

  it('should delete the setlist of a deleted concert only, and acknowledge every entry', async () => {
    const setlists = new SetlistRepository(scratch.db('setlists'));
    await setlists.ensureIndexes();
    const [deleted, kept] = [new ObjectId(), new ObjectId()];
    for (const concertId of [deleted, kept]) await setlists.upsert(concertId, [{ order: 1, title: 'Song', artist: null }], [], new Date());
    await publishConcertEvents(scratch.redis, scratch.redisPrefix, [
      concertEvent('concert.liked', { concertId: kept.toHexString(), userId: 'u1' }),
      concertEvent('concert.deleted', { concertId: 'not an id' }),
      concertEvent('concert.deleted', { concertId: deleted.toHexString() }),
    ]);

    const consumer = startConcertDeletedConsumer({
      redis: scratch.redis,
      redisPrefix: scratch.redisPrefix,
      setlists,
      logger: createLogger('test', 'silent'),
      blockMs: 100,
    });
    try {
      const stream = concertEventsStream(scratch.redisPrefix);
      const deadline = Date.now() + 5_000;
      const settled = async () =>
        (await setlists.findByConcertIds([deleted])).length === 0 && Number((await scratch.redis.xpending(stream, SETLISTS_CONSUMER_GROUP))[0]) === 0;
      while (!(await settled().catch(() => false)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await setlists.findByConcertIds([deleted, kept])).map((s) => s.concertId.toHexString())).toEqual([kept.toHexString()]);
      const groups = (await scratch.redis.xinfo('GROUPS', stream)) as unknown[][];
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
