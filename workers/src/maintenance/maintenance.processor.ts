import type { Redis } from 'ioredis';

/**
 * Removes, from every `usess:<userId>` set, the session ids whose session key has expired.
 * Returns how many ids it removed. Safe to run concurrently: SREM of a gone id is a no-op.
 */
export async function pruneSessionIndex(redis: Redis, prefix: string): Promise<number> {
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}usess:*`, 'COUNT', 200);
    cursor = next;
    for (const key of keys) {
      const ids = await redis.smembers(key);
      if (ids.length === 0) continue;
      const exists = await Promise.all(ids.map((id) => redis.exists(`${prefix}sess:${id}`)));
      const gone = ids.filter((_, i) => exists[i] === 0);
      if (gone.length) removed += await redis.srem(key, ...gone);
    }
  } while (cursor !== '0');
  return removed;
}
