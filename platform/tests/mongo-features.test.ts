import type { IndexDescription } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connectMongo, detectMongoFeatures, type Mongo } from '../src/index.js';

describe(detectMongoFeatures.name, () => {
  let mongo: Mongo;
  const prefix = `t${randomBytes(4).toString('hex')}_`;
  beforeAll(async () => {
    mongo = await connectMongo(inject('mongoUri'), { dbPrefix: prefix });
  });
  afterAll(async () => {
    await mongo.db('probe').dropDatabase();
    await mongo.close();
  });

  it('should report what the server supports and leave no scratch collection behind', async () => {
    const db = mongo.db('probe');
    const features = await detectMongoFeatures(mongo.client, db);
    expect(Object.keys(features).sort()).toEqual(['facet', 'lookup', 'partialIndexes', 'textSearch', 'transactions', 'ttlIndexes']);
    const build = await db.admin().command({ buildInfo: 1 });
    // FerretDB (which CI runs) lacks all of these; a real MongoDB 7 has them all.
    const isFerret = Boolean(build.ferretdbVersion);
    for (const value of Object.values(features)) expect(value).toBe(!isFerret);
    expect((await db.listCollections().toArray()).filter((c) => c.name.startsWith('_probe_'))).toEqual([]);
  });
});

describe('ensureIndexes', () => {
  it('should be idempotent across restarts, with several indexes per collection', async () => {
    const { ensureIndexes, connectMongo: connect } = await import('../src/index.js');
    const mongo = await connect(inject('mongoUri'), { dbPrefix: `t${randomBytes(4).toString('hex')}_` });
    try {
      const col = mongo.db('idx').collection('things');
      const specs: IndexDescription[] = [
        { key: { a: 1 }, name: 'a_unique', unique: true },
        { key: { b: 1, c: -1 }, name: 'b_c' },
        { key: { d: 1 }, name: 'd_sparse', unique: true, sparse: true },
      ];
      await ensureIndexes(col, specs);
      // A second start against the same data (FerretDB 1.24 drops the connection when one
      // createIndexes command repeats several existing indexes).
      await ensureIndexes(col, specs);
      expect((await col.indexes()).map((i) => i.name).sort()).toEqual(['_id_', 'a_unique', 'b_c', 'd_sparse']);
    } finally {
      await mongo.db('idx').dropDatabase();
      await mongo.close();
    }
  });
});
