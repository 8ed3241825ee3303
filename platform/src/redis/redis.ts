import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';

export { Redis };

/** What every client of the stack starts with (callers override per connection). */
const DEFAULTS: RedisOptions = {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  connectTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 200, 1_000),
};

/**
 * The one factory of Redis clients: every process, connection and duplicate goes through it (or
 * through `duplicateRedis`), so `REDIS_URL` alone chooses one server, a Sentinel group or a
 * Cluster (forms: `redis-url.ts`). By default the client fails fast while Redis is away (no
 * offline queue, one retry), so callers can degrade or refuse at once instead of hanging; it
 * reconnects by itself (after a Sentinel failover, to the new master).
 *
 * A Cluster client is returned typed as `Redis`: both are ioredis `Commander`s with the same
 * command methods, which is all our code calls. What differs is handled here: `duplicate()`
 * (use `duplicateRedis`), options (a Cluster takes per-node options under `redisOptions`) and
 * SCAN (per master node: `scanNodes`). Multi-key commands, transactions, pipelines and scripts
 * must keep their keys in one slot on a Cluster (docs/production.md, Scaling, lists where we do).
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return clientFor(parseRedisUrl(url), { ...DEFAULTS, ...options });
}

function clientFor(target: RedisTarget, options: RedisOptions): Redis {
  switch (target.mode) {
    case 'standalone':
      return new Redis(target.url, options);
    case 'sentinel':
      return new Redis({
        ...options,
        sentinels: target.sentinels,
        name: target.name,
        db: target.db,
        ...(target.username !== undefined && { username: target.username }),
        ...(target.password !== undefined && { password: target.password }),
        ...(target.sentinelUsername !== undefined && { sentinelUsername: target.sentinelUsername }),
        ...(target.sentinelPassword !== undefined && { sentinelPassword: target.sentinelPassword }),
        ...(target.tls && { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true }),
        // Follow +switch-master from the sentinels: reconnect to a new master at once rather
        // than when the old one's connection finally fails.
        failoverDetector: true,
      });
    case 'cluster': {
      const cluster = new Cluster(target.nodes, {
        ...clusterOptions(options),
        scaleReads: target.scaleReads,
        redisOptions: {
          ...nodeOptions(options),
          ...(target.username !== undefined && { username: target.username }),
          ...(target.password !== undefined && { password: target.password }),
          ...(target.tls && { tls: {} }),
        },
      });
      return cluster as unknown as Redis;
    }
  }
}

/** The options ioredis reads at the Cluster's level rather than per node. */
const CLUSTER_LEVEL = [
  'enableOfflineQueue',
  'enableReadyCheck',
  'lazyConnect',
  'retryStrategy',
  'scripts',
  'keyPrefix',
  'enableAutoPipelining',
  'autoPipeliningIgnoredCommands',
] as const;

function clusterOptions(options: RedisOptions): ClusterOptions {
  const { retryStrategy, ...rest } = pick(options, CLUSTER_LEVEL);
  return { ...rest, ...(retryStrategy && { clusterRetryStrategy: (times: number) => retryStrategy(times) }) } as ClusterOptions;
}

function nodeOptions(options: RedisOptions): NonNullable<ClusterOptions['redisOptions']> {
  const rest: Record<string, unknown> = { ...options };
  for (const key of [...CLUSTER_LEVEL, 'host', 'port', 'path', 'sentinels', 'readOnly']) delete rest[key];
  return rest;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Whether a client from `createRedis` talks to a Redis Cluster. */
export function isRedisCluster(redis: Redis): boolean {
  return (redis as unknown) instanceof Cluster;
}

/**
 * A new connection to the same Redis (one server, Sentinel group or Cluster) with some options
 * changed: what `redis.duplicate(overrides)` does, except that it also works on a Cluster (whose
 * own `duplicate` takes start-up nodes first and would replace, not merge, per-node options).
 */
export function duplicateRedis(redis: Redis, overrides: RedisOptions = {}): Redis {
  if (!isRedisCluster(redis)) return redis.duplicate(overrides);
  const cluster = redis as unknown as Cluster;
  const dup = cluster.duplicate([], {
    ...clusterOptions(overrides),
    redisOptions: { ...cluster.options.redisOptions, ...nodeOptions(overrides) },
  });
  return dup as unknown as Redis;
}

/**
 * SCAN over every key matching `pattern`, page by page: on one server (or a Sentinel's master)
 * one cursor; on a Cluster, each master node in turn (a Cluster's SCAN sees one node only).
 */
export async function* scanKeys(redis: Redis, pattern: string, count = 200): AsyncGenerator<string[]> {
  const nodes = isRedisCluster(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length) yield keys;
    } while (cursor !== '0');
  }
}

/** Resolves once the client is ready (commands fail fast before that). */
export function redisReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
