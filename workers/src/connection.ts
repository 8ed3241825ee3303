import { Redis } from 'ioredis';

/** BullMQ needs its own connections with no per-command retry limit (blocking commands). */
export function bullConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false });
}

/**
 * Every queue of a stack lives under its Redis prefix. The `{bull}` hash tag keeps all keys of
 * a queue in one Redis Cluster slot, as BullMQ requires there; a single Redis ignores it.
 */
export const bullPrefix = (redisPrefix: string) => `${redisPrefix}{bull}`;
