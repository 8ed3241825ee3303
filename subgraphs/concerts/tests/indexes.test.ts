import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UserLinkRepository, connectMongo, type Mongo } from '@stagelives/platform';
import { ConcertRepository } from '../src/concert/concert.repository.js';

describe('start-up indexes', () => {
  let mongo: Mongo;
  beforeAll(async () => {
    mongo = await connectMongo(inject('mongoUri'), { dbPrefix: `t${randomBytes(4).toString('hex')}_` });
  });
  afterAll(async () => {
    await mongo.db('concerts').dropDatabase();
    await mongo.close();
  });

  it('should create the concerts and likes indexes, and again on a restart against existing data', async () => {
    const setup = async () => {
      await new ConcertRepository(mongo.db('concerts'), false).ensureIndexes();
      await new UserLinkRepository(mongo.db('concerts'), 'likes', 'concertId').ensureIndexes();
    };
    await setup();
    await setup(); // a restart: must neither fail nor drop the connection
    const names = async (db: string, col: string) => (await mongo.db(db).collection(col).listIndexes().toArray()).map((i) => i.name).sort();
    expect(await names('concerts', 'concerts')).toEqual(['_id_', 'artist_startsAt_id', 'startsAt_id', 'statusRun', 'status_effectiveEndsAt', 'status_startsAt_id']);
    expect(await names('concerts', 'likes')).toEqual(['_id_', 'concert_user_unique', 'user_createdAt_id']);
  });
});
