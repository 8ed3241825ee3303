import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratchSuite } from '@stagelives/devkit';
import { SetlistRepository } from '../src/setlist/setlist.repository.js';

describe('start-up indexes', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri') });

  it('should create the setlists index, and again on a restart against existing data', async () => {
    const setup = async () => {
      await new SetlistRepository(scratch.db('setlists')).ensureIndexes();
    };
    await setup();
    await setup(); // a restart: must neither fail nor drop the connection
    const names = async (db: string, col: string) => (await scratch.db(db).collection(col).listIndexes().toArray()).map((i) => i.name).sort();
    expect(await names('setlists', 'setlists')).toEqual(['_id_', 'concertId_unique']);
  });
});
