import { randomBytes } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import type { Logger } from '../logger.js';

/** MongoDB features stagelives uses that some wire-compatible servers (FerretDB) lack. */
export interface MongoFeatures {
  /** `$text` queries over a text index. */
  textSearch: boolean;
  /** TTL indexes (`expireAfterSeconds`). */
  ttlIndexes: boolean;
  /** Partial indexes (`partialFilterExpression`). */
  partialIndexes: boolean;
  /** Multi-document transactions. */
  transactions: boolean;
  /** The `$lookup` aggregation stage. */
  lookup: boolean;
  /** The `$facet` aggregation stage. */
  facet: boolean;
  /**
   * `{ _id: { $in: [...] } }` is answered from the `_id` index. FerretDB 1.24 pushes down only a
   * lone `_id` equality and scans the whole collection for anything else (its `explain` says
   * `filterPushdown: false`): there, reading a page's ids one by one is far cheaper (`pointReadsFor`).
   */
  idInIndexed: boolean;
  /**
   * A top-level equality on any field (`{ articleId: id }`) is answered by the database engine,
   * not by decoding every document: MongoDB, and FerretDB 1.24 on PostgreSQL (in SQL, from an
   * index where devkit's GIN companions exist: docs/ferretdb.md). FerretDB on SQLite answers
   * only `_id` so (`explain`: `filterPushdown: false`). Where this holds and `idInIndexed` does
   * not, a batch is cheaper as one equality per value than as one `$in` (`equalityReadsFor`).
   */
  equalityPushdown: boolean;
}

async function probe(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch {
    return false;
  }
}

/**
 * Detects, against the live server, which features work, in a scratch collection it drops
 * afterwards. Never throws: a failing probe only turns a feature off.
 */
export async function detectMongoFeatures(client: MongoClient, db: Db, logger?: Logger): Promise<MongoFeatures> {
  const col = db.collection<{ _id?: unknown; t?: string; d?: Date; k?: number }>(`_probe_${randomBytes(4).toString('hex')}`);
  try {
    await col.insertMany([
      { t: 'stagelives probe', k: 1 },
      { t: 'other', k: 2 },
    ]);
    const features: MongoFeatures = {
      textSearch: await probe(async () => {
        await col.createIndex({ t: 'text' });
        const hits = await col.find({ $text: { $search: 'probe' } }).toArray();
        if (hits.length !== 1) throw new Error('text search returned wrong hits');
      }),
      ttlIndexes: await probe(() => col.createIndex({ d: 1 }, { expireAfterSeconds: 60 })),
      partialIndexes: await probe(() => col.createIndex({ k: 1 }, { partialFilterExpression: { k: { $exists: true } } })),
      transactions: await probe(async () => {
        const session = client.startSession();
        try {
          await session.withTransaction(async () => {
            await col.insertOne({ k: 3 }, { session });
          });
        } finally {
          await session.endSession();
        }
      }),
      lookup: await probe(() => col.aggregate([{ $lookup: { from: col.collectionName, localField: 'k', foreignField: 'k', as: 'x' } }]).toArray()),
      facet: await probe(() => col.aggregate([{ $facet: { n: [{ $count: 'n' }] } }]).toArray()),
      idInIndexed: await probe(async () => {
        const plan = await db.command({ explain: { find: col.collectionName, filter: { _id: { $in: ['a', 'b'] } } } });
        if (plan.filterPushdown === false) throw new Error('$in on _id is not pushed down: the collection is scanned');
      }),
      equalityPushdown: await probe(async () => {
        const plan = await db.command({ explain: { find: col.collectionName, filter: { t: 'stagelives probe' } } });
        if (plan.filterPushdown === false) throw new Error('an equality on a field is not pushed down: the collection is scanned');
      }),
    };
    const missing = Object.entries(features)
      .filter(([, on]) => !on)
      .map(([name]) => name);
    if (missing.length > 0) logger?.info({ features }, `mongodb server lacks ${missing.join(', ')}: using fallbacks`);
    else logger?.debug({ features }, 'mongodb server supports every feature used');
    return features;
  } finally {
    await col.drop().catch(() => undefined);
  }
}
