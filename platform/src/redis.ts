import { Redis, type RedisOptions } from 'ioredis';

export { Redis };

/**
 * An ioredis client that never queues commands forever: when Redis is away,
 * callers get an error quickly and can degrade instead of hanging.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
    ...options,
  });
}
