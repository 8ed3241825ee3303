import type { IndexDescription } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
// By path, not as a devDependency: @stagelives/devkit depends on this package (turbo refuses the cycle).
import { openScratch, scratchSuite } from '../../tools/devkit/src/scratch.js';
import { detectMongoFeatures } from '../src/index.js';

describe(detectMongoFeatures.name, () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri') });

  it('should report what the server supports and leave no scratch collection behind', async () => {
    const db = scratch.db('probe');
    const features = await detectMongoFeatures(scratch.mongo.client, db);
    expect(Object.keys(features).sort()).toEqual([
      'equalityPushdown',
      'facet',
      'idInIndexed',
      'lookup',
      'partialIndexes',
      'textSearch',
      'transactions',
      'ttlIndexes',
    ]);
    const build = await db.admin().command({ buildInfo: 1 });
    // FerretDB (which CI runs) lacks all of these; a real MongoDB 7 has them all.
    const isFerret = Boolean(build.ferretdbVersion);
    const { equalityPushdown, ...rest } = features;
    for (const value of Object.values(rest)) expect(value).toBe(!isFerret);
    // FerretDB answers an equality on any field in SQL on PostgreSQL, and only `_id` on SQLite.
    const backend = inject('mongoBackend');
    if (!isFerret || backend) expect(equalityPushdown).toBe(!isFerret || backend === 'postgresql');
    expect((await db.listCollections().toArray()).filter((c) => c.name.startsWith('_probe_'))).toEqual([]);
  });
});

describe('ensureIndexes', () => {
  it('should be idempotent across restarts, with several indexes per collection', async () => {
    const { ensureIndexes } = await import('../src/index.js');
    const scratch = await openScratch({ mongoUri: inject('mongoUri') });
    try {
      const col = scratch.db('idx').collection('things');
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
      await scratch.close();
    }
  });
});

describe('estimatedCount', () => {
  it('should count from the collection statistics, without a count command, and a collection never written as 0', async () => {
    const { estimatedCount } = await import('../src/index.js');
    const scratch = await openScratch({ mongoUri: inject('mongoUri') });
    try {
      const col = scratch.db('stats').collection<{ n: number }>('things');
      expect(await estimatedCount(col)).toBe(0);
      await col.insertMany(Array.from({ length: 37 }, (_, n) => ({ n })));
      expect(await estimatedCount(col)).toBe(37);
      await col.deleteMany({ n: { $lt: 7 } });
      // FerretDB on PostgreSQL answers the planner's estimate, which follows writes when autovacuum
      // analyzes the table again (after 50 of them); MongoDB and FerretDB on SQLite count exactly.
      if (inject('mongoBackend') === 'postgresql') expect([30, 37]).toContain(await estimatedCount(col));
      else expect(await estimatedCount(col)).toBe(30);
    } finally {
      await scratch.close();
    }
  });
});
