import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { connectMongo, createRedis, redisReady, type Mongo, type Redis } from '@stagelives/platform';

/** Where the scratch space lives; each URL given opens that service. */
export interface ScratchOptions {
  /** FerretDB/MongoDB to open a prefixed client on (vitest: `inject('mongoUri')`). */
  mongoUri?: string;
  /** Redis to connect to (vitest: `inject('redisUrl')`). */
  redisUrl?: string;
}

/** The services a scratch space has open. */
export type ScratchService = 'mongo' | 'redis';

interface ScratchMongo {
  /** A client whose `db(domain)` is `<prefix><domain>`. */
  readonly mongo: Mongo;
  /** Shorthand for `mongo.db(domain)`. */
  db(domain: string): Db;
}

interface ScratchRedis {
  readonly redis: Redis;
  /** Every key under `redisPrefix` (SCAN). */
  keys(): Promise<string[]>;
  /** Deletes every key under `redisPrefix` (SCAN + DEL), e.g. between tests. */
  clearKeys(): Promise<void>;
}

/**
 * A test's private corner of the shared FerretDB and Redis: `close()` removes all of it.
 * `S` names the services it opened (`Scratch<'mongo' | 'redis'>`).
 */
export type Scratch<S extends ScratchService = never> = {
  /** `t<8 hex>_`: the database prefix. */
  readonly prefix: string;
  /** `<prefix>:`: the Redis key prefix. */
  readonly redisPrefix: string;
  /**
   * The environment that puts a process of the stack (a worker, a router) in this space: the
   * URLs given and the prefixes (`MONGODB_URI`, `MONGODB_DB_PREFIX`, `REDIS_URL`, `REDIS_PREFIX`).
   */
  readonly env: Record<string, string>;
  /** Drops every database named `<prefix>…`, deletes every key under `redisPrefix`, then disconnects. */
  close(): Promise<void>;
} & ('mongo' extends S ? ScratchMongo : Partial<ScratchMongo>) &
  ('redis' extends S ? ScratchRedis : Partial<ScratchRedis>);

type ServicesOf<O extends ScratchOptions> = (O extends { mongoUri: string } ? 'mongo' : never) | (O extends { redisUrl: string } ? 'redis' : never);

/**
 * Opens a scratch space with a fresh random prefix: a Mongo client on `mongoUri` (databases
 * `<prefix><domain>`) and/or a ready Redis client on `redisUrl` (keys under `<prefix>:`).
 * The URLs come from the caller, so this works outside vitest too.
 */
export async function openScratch<O extends ScratchOptions>(options: O): Promise<Scratch<ServicesOf<O>>> {
  const prefix = `t${randomBytes(4).toString('hex')}_`;
  const redisPrefix = `${prefix}:`;
  let mongo: Mongo | undefined;
  let redis: Redis | undefined;
  try {
    if (options.mongoUri !== undefined) mongo = await connectMongo(options.mongoUri, { dbPrefix: prefix });
    if (options.redisUrl !== undefined) {
      redis = createRedis(options.redisUrl);
      await redisReady(redis);
    }
  } catch (error) {
    redis?.disconnect();
    await mongo?.close();
    throw error;
  }

  const keys = async (client: Redis) => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  };
  const clearKeys = async (client: Redis) => {
    const found = await keys(client);
    for (let i = 0; i < found.length; i += 500) await client.del(...found.slice(i, i + 500));
  };

  const scratch = {
    prefix,
    redisPrefix,
    env: {
      ...(options.mongoUri !== undefined && { MONGODB_URI: options.mongoUri, MONGODB_DB_PREFIX: prefix }),
      ...(options.redisUrl !== undefined && { REDIS_URL: options.redisUrl, REDIS_PREFIX: redisPrefix }),
    },
    mongo,
    redis,
    db: mongo ? (domain: string) => mongo.db(domain) : undefined,
    keys: redis ? () => keys(redis) : undefined,
    clearKeys: redis ? () => clearKeys(redis) : undefined,
    close: async () => {
      try {
        if (mongo) {
          const { databases } = await mongo.client.db('admin').admin().listDatabases({ nameOnly: true });
          for (const { name } of databases) if (name.startsWith(prefix)) await mongo.client.db(name).dropDatabase();
        }
        if (redis) await clearKeys(redis);
      } finally {
        await redis?.quit();
        await mongo?.close();
      }
    },
  };
  return scratch as Scratch<ServicesOf<O>>;
}

/** The suite hooks `scratchSuite` registers on: pass vitest's `{ beforeAll, afterAll }`. */
export interface SuiteHooks {
  beforeAll(fn: () => Promise<void>): void;
  afterAll(fn: () => Promise<void>): void;
}

/**
 * `openScratch` for a test suite: registers a `beforeAll` that opens the scratch space and an
 * `afterAll` that closes it. The returned object reads through to it once opened (in the
 * suite's later hooks and tests); reading it earlier throws.
 *
 * @example const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri') });
 */
export function scratchSuite<O extends ScratchOptions>(hooks: SuiteHooks, options: O): Scratch<ServicesOf<O>> {
  let opened: Scratch<ServicesOf<O>> | undefined;
  hooks.beforeAll(async () => {
    opened = await openScratch(options);
  });
  hooks.afterAll(async () => {
    await opened?.close();
  });
  return new Proxy({} as Scratch<ServicesOf<O>>, {
    get: (_, key) => {
      if (!opened) throw new Error(`scratch.${String(key)} read before the suite's beforeAll opened it`);
      return opened[key as keyof Scratch<ServicesOf<O>>];
    },
  });
}
