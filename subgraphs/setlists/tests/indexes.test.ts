import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectMongo, type Mongo } from '@stagelives/platform';
import { SetlistRepository } from '../src/setlist/setlist.repository.js';

describe('start-up indexes', () => {
  let mongo: Mongo;
  beforeAll(async () => {
    mongo = await connectMongo(inject('mongoUri'), { dbPrefix: `t${randomBytes(4).toString('hex')}_` });
  });
  afterAll(async () => {
    await mongo.db('setlists').dropDatabase();
    await mongo.close();
  });

  it('should create the setlists index, and again on a restart against existing data', async () => {
    const setup = async () => {
      await new SetlistRepository(mongo.db('setlists')).ensureIndexes();
    };
    await setup();
    await setup(); // a restart: must neither fail nor drop the connection
    const names = async (db: string, col: string) => (await mongo.db(db).collection(col).listIndexes().toArray()).map((i) => i.name).sort();
    expect(await names('setlists', 'setlists')).toEqual(['_id_', 'concertId_unique']);
  });
});
