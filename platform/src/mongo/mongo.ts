import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import type { Logger } from '../logger.js';

export interface Mongo {
  readonly client: MongoClient;
  /** The database of one domain (`users`, `concerts`, …). */
  db(domain: string): Db;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One pooled client per process; each domain reads and writes only its own database. */
export async function connectMongo(
  uri: string,
  { dbPrefix, logger, ...options }: { dbPrefix: string; logger?: Logger } & MongoClientOptions,
): Promise<Mongo> {
  const client = new MongoClient(uri, {
    maxPoolSize: 20,
    serverSelectionTimeoutMS: 5_000,
    appName: 'stagelives',
    ...options,
  });
  await client.connect();
  logger?.debug({ dbPrefix }, 'mongodb connected');
  return {
    client,
    db: (domain) => client.db(`${dbPrefix}${domain}`),
    ping: async () => {
      await client.db('admin').command({ ping: 1 });
    },
    close: () => client.close(),
  };
}
