import type { Redis } from 'ioredis';

/**
 * The shared store of the response cache, in Redis (so every router instance sees one cache):
 *
 * - `<prefix>{rc}:e:<key>`    an entry: the JSON answer, expiring after its max-age;
 * - `<prefix>{rc}:t:<tag>`    a set of entry keys that contain the tag (`Concert:<id>`, `type:Concert`, …);
 * - `<prefix>{rc}:p:<tag>`    when the tag was last purged (Redis clock, ms), kept for `PURGE_MEMORY_MS`.
 *
 * The `{rc}` hash tag puts every key of the cache in one Redis Cluster slot, as its scripts need
 * (STORE and PURGE touch an entry, its tags' sets and stamps together); one server ignores it.
 * On a Cluster the cache therefore lives on one shard (docs/production.md, Scaling).
 *
 * A read that started before a purge of one of its tags must not store what it read (it may hold
 * the data from before the write): storing is one script that refuses when any tag's purge time is
 * at or after the read's start, both measured on Redis's clock (`lookup` returns it).
 */
const PURGE_MEMORY_MS = 120_000;

// KEYS[1] entry → { entry or false, redis time ms }
const LOOKUP = `
local t = redis.call('TIME')
return { redis.call('GET', KEYS[1]), tostring(t[1] * 1000 + math.floor(t[2] / 1000)) }
`;

// KEYS[1] entry, KEYS[2..n+1] tag sets, KEYS[n+2..2n+1] purge stamps; ARGV: value, ttl ms, started ms
const STORE = `
local n = (#KEYS - 1) / 2
local started = tonumber(ARGV[3])
for i = 1, n do
  local purged = redis.call('GET', KEYS[n + 1 + i])
  if purged and tonumber(purged) >= started then return 0 end
end
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 2, n + 1 do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1
`;

// KEYS[1..n] tag sets, KEYS[n+1..2n] purge stamps; ARGV[1] stamp ttl → entries deleted
const PURGE = `
local n = #KEYS / 2
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local deleted = 0
for i = 1, n do
  local members = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #members, 500 do
    deleted = deleted + redis.call('DEL', unpack(members, j, math.min(j + 499, #members)))
  end
  redis.call('DEL', KEYS[i])
  redis.call('SET', KEYS[n + i], now, 'PX', tonumber(ARGV[1]))
end
return deleted
`;

type Scripted = Redis & {
  rcLookup(key: string): Promise<[string | null, string]>;
  rcStore(numKeys: number, ...args: string[]): Promise<number>;
  rcPurge(numKeys: number, ...args: string[]): Promise<number>;
};

export interface StoredEntry {
  /** The `data` of the answer. */
  data: unknown;
  /** PUBLIC: any viewer; PRIVATE: only anonymous requests (every anonymous viewer is the same viewer). */
  scope: 'PUBLIC' | 'PRIVATE';
}

export class CacheStore {
  private readonly redis: Scripted;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.redis = redis as Scripted;
    if (!('rcLookup' in redis)) {
      redis.defineCommand('rcLookup', { numberOfKeys: 1, lua: LOOKUP });
      redis.defineCommand('rcStore', { lua: STORE });
      redis.defineCommand('rcPurge', { lua: PURGE });
    }
  }

  entryKey = (hash: string) => `${this.prefix}{rc}:e:${hash}`;
  private tagKey = (tag: string) => `${this.prefix}{rc}:t:${tag}`;
  private stampKey = (tag: string) => `${this.prefix}{rc}:p:${tag}`;

  /** The entry (raw JSON) and Redis's clock, in one round trip. */
  async lookup(hash: string): Promise<{ raw: string | null; now: number }> {
    const [raw, now] = await this.redis.rcLookup(this.entryKey(hash));
    return { raw, now: Number(now) };
  }

  /** Stores unless a tag was purged since `startedAt` (Redis clock); true when stored. */
  async store(hash: string, entry: StoredEntry, tags: readonly string[], ttlMs: number, startedAt: number): Promise<boolean> {
    const keys = [this.entryKey(hash), ...tags.map(this.tagKey), ...tags.map(this.stampKey)];
    const stored = await this.redis.rcStore(keys.length, ...keys, JSON.stringify(entry), String(ttlMs), String(startedAt));
    return stored === 1;
  }

  /** Deletes every entry carrying one of the tags, and remembers the purge; the number of entries deleted. */
  async purge(tags: readonly string[]): Promise<number> {
    if (tags.length === 0) return 0;
    const unique = [...new Set(tags)];
    const keys = [...unique.map(this.tagKey), ...unique.map(this.stampKey)];
    return this.redis.rcPurge(keys.length, ...keys, String(PURGE_MEMORY_MS));
  }
}
