import { createHash } from 'node:crypto';
import type { Redis } from '@stagelives/platform';

/** Reads the generation and the count of one filter together. */
const READ = `return { redis.call('GET', KEYS[1]) or '0', redis.call('HGET', KEYS[2], ARGV[1]) }`;
/** Stores a count (with the time it was stored) only while the generation it was read under is still current. */
const STORE = `if (redis.call('GET', KEYS[1]) or '0') == ARGV[1] then
  local t = redis.call('TIME')
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3] .. ':' .. (t[1] * 1000 + math.floor(t[2] / 1000)))
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  return 1
end
return 0`;
/** A write: a new generation, and the counts of the old one dropped. */
const BUMP = `redis.call('INCR', KEYS[1]) redis.call('DEL', KEYS[2]) return 1`;

/**
 * Longest a stored count is used (writes drop them sooner). It bounds the one case writes cannot
 * cover: a write while Redis was unreachable, whose invalidation failed.
 */
const COUNT_TTL_MS = 60_000;

/** The hash field of the week histogram (count fields are base64url hashes: never this). */
const WEEKS_FIELD = '#weeks';
/** Stored in place of a histogram while some concert has no `startsWeek`. */
const UNAVAILABLE = '-';

/**
 * `totalCount` of concert lists, shared by every concerts instance (Redis). A count costs a scan
 * of the collection on FerretDB (≈ 0.4 s at 2,000 concerts) and an index walk on MongoDB, and the
 * anonymous first page asks for the same one each time. It also holds how many concerts start in
 * each week (`weeks`), which page reads on FerretDB choose their weeks by.
 *
 * Exact: every write to the collection through ConcertRepository calls `invalidate()` after the
 * database write, which starts a new generation; a count is stored only if the generation it
 * was computed under is still the current one (a count computed before a write, stored after it,
 * is dropped). Only filters whose members do not change with the clock are cached: a `status`
 * filter is counted every time. Keys share the `{concerts}` hash tag (one Redis Cluster slot).
 */
export class ConcertCountCache {
  private readonly generationKey: string;
  private readonly countsKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    const keys = concertCountKeys(prefix);
    this.generationKey = keys.generation;
    this.countsKey = keys.counts;
  }

  private reportedAt = 0;

  /** Hands an error to `onError`, at most once every 30 s (an outage would otherwise log per read). */
  private report(error: unknown): void {
    if (Date.now() - this.reportedAt < 30_000) return;
    this.reportedAt = Date.now();
    this.onError(error);
  }

  /** The count of `filter` (any JSON value naming it), from the cache or from `compute`. */
  async count(filter: unknown, compute: () => Promise<number>): Promise<number> {
    const field = createHash('sha256').update(JSON.stringify(filter)).digest('base64url');
    const n = Number(await this.cached(field, async () => String(await compute())));
    return Number.isFinite(n) ? n : compute();
  }

  /**
   * How many concerts start in each week (`startsWeek` → count, in week order), from the cache or
   * from `compute`; null when some concert has no `startsWeek` (`compute` says so with null).
   * What weekly page reads choose their weeks by (ConcertRepository.page).
   */
  async weeks(compute: () => Promise<Array<[number, number]> | null>): Promise<Array<[number, number]> | null> {
    const text = await this.cached(WEEKS_FIELD, async () => {
      const weeks = await compute();
      return weeks ? weeks.map(([week, n]) => `${week}=${n}`).join(',') : UNAVAILABLE;
    });
    if (text === UNAVAILABLE) return null;
    return text === '' ? [] : text.split(',').map((pair) => pair.split('=').map(Number) as [number, number]);
  }

  /** The value stored under `field` in the current generation, or `compute`'s, stored if no write came between. */
  private async cached(field: string, compute: () => Promise<string>): Promise<string> {
    let generation: string;
    try {
      const [current, cached] = (await this.redis.eval(READ, 2, this.generationKey, this.countsKey, field)) as [string, string | null];
      const cut = cached?.lastIndexOf(':') ?? -1;
      if (cached != null && cut >= 0 && Date.now() - Number(cached.slice(cut + 1)) < COUNT_TTL_MS) return cached.slice(0, cut);
      generation = current;
    } catch (error) {
      // Redis unreachable: from the database, as if there were no cache.
      this.report(error);
      return compute();
    }
    const value = await compute();
    await this.redis.eval(STORE, 2, this.generationKey, this.countsKey, generation, field, value, COUNT_TTL_MS).catch((error: unknown) => this.report(error));
    return value;
  }

  /**
   * After any write that may change which concerts a filter holds. Never fails the write: with
   * Redis unreachable the stored counts age out within COUNT_TTL_MS.
   */
  async invalidate(): Promise<void> {
    await invalidateConcertCounts(this.redis, this.prefix).catch((error: unknown) => this.report(error));
  }
}

/** The cache's keys under a Redis prefix. */
function concertCountKeys(prefix: string) {
  return { generation: `${prefix}{concerts}:count-generation`, counts: `${prefix}{concerts}:counts` };
}

/** Drops every cached count: for writers outside the repository (seeding scripts, migrations). */
export async function invalidateConcertCounts(redis: Redis, prefix: string): Promise<void> {
  const keys = concertCountKeys(prefix);
  await redis.eval(BUMP, 2, keys.generation, keys.counts);
}
