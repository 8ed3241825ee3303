import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UserLinkRepository } from '@stagelives/platform';
import { scratchSuite } from '@stagelives/devkit';
import { ConcertRepository } from '../src/concert/concert.repository.js';

describe('start-up indexes', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri') });

  it('should create the concerts and likes indexes, and again on a restart against existing data', async () => {
    const setup = async () => {
      await new ConcertRepository(scratch.db('concerts')).ensureIndexes();
      await new UserLinkRepository(scratch.db('concerts'), 'likes', 'concertId').ensureIndexes();
    };
    await setup();
    await setup(); // a restart: must neither fail nor drop the connection
    const names = async (db: string, col: string) => (await scratch.db(db).collection(col).listIndexes().toArray()).map((i) => i.name).sort();
    expect(await names('concerts', 'concerts')).toEqual([
      '_id_',
      'artist_startsAt_id',
      'startsAt_id',
      'statusRun',
      'status_effectiveEndsAt',
      'status_startsAt_id',
    ]);
    expect(await names('concerts', 'likes')).toEqual(['_id_', 'concert_user_unique', 'user_createdAt_id']);
  });
});
