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
