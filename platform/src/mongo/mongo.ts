import { MongoClient, type Db, type MongoClientOptions, type ReadConcernLevel, type ReadPreferenceMode, type W } from 'mongodb';
import type { BaseConfig } from '../config.js';
import type { Logger } from '../logger.js';

export interface Mongo {
  readonly client: MongoClient;
  /** The database of one domain (`users`, `concerts`, …). */
  db(domain: string): Db;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One pooled client per process; each domain reads and writes only its own database. */
export async function connectMongo(uri: string, { dbPrefix, logger, ...options }: { dbPrefix: string; logger?: Logger } & MongoClientOptions): Promise<Mongo> {
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

/**
 * Consistency options for a replica set or Atlas, from the environment: `MONGODB_WRITE_CONCERN`
 * (`w`), `MONGODB_READ_CONCERN` (`readConcernLevel`), `MONGODB_READ_PREFERENCE`. A variable wins
 * over the connection string; an option the connection string sets is left to it; otherwise
 * production asks for `w: majority` (an acknowledged write survives a failover) and
 * `readConcern: majority` (a read never returns what a failover could roll back) from the
 * primary, and development and tests keep the driver's defaults. Retryable writes and reads stay
 * on (the driver's default, said here so no URI turns them off by accident on a replica set).
 * FerretDB accepts all of these (it has one node and ignores them): tested in platform/tests.
 */
export function mongoClientOptions(
  config: Pick<BaseConfig, 'NODE_ENV' | 'MONGODB_URI'> &
    Partial<Pick<BaseConfig, 'MONGODB_WRITE_CONCERN' | 'MONGODB_READ_CONCERN' | 'MONGODB_READ_PREFERENCE'>>,
): MongoClientOptions {
  const inUri = uriOptions(config.MONGODB_URI);
  const production = config.NODE_ENV === 'production';
  const w = config.MONGODB_WRITE_CONCERN ?? (production && !inUri.has('w') ? 'majority' : undefined);
  const level = config.MONGODB_READ_CONCERN ?? (production && !inUri.has('readconcernlevel') ? 'majority' : undefined);
  const readPreference = config.MONGODB_READ_PREFERENCE ?? (production && !inUri.has('readpreference') ? 'primary' : undefined);
  return {
    ...(!inUri.has('retrywrites') && { retryWrites: true }),
    ...(!inUri.has('retryreads') && { retryReads: true }),
    ...(w !== undefined && { writeConcern: { w: (/^\d+$/.test(w) ? Number(w) : w) as W } }),
    ...(level !== undefined && { readConcern: { level: level as ReadConcernLevel } }),
    ...(readPreference !== undefined && { readPreference: readPreference as ReadPreferenceMode }),
  };
}

/** Option names (lower-cased) set in a connection string's query. */
function uriOptions(uri: string): Set<string> {
  const q = uri.indexOf('?');
  if (q === -1) return new Set();
  return new Set([...new URLSearchParams(uri.slice(q + 1)).keys()].map((k) => k.toLowerCase()));
}
