import { createHash } from 'node:crypto';
import { isRedisCluster, type Redis } from '@stagelives/platform';

/** A hit's answer: allowed, or refused with the time until its window ends. */
export type Verdict = { readonly allowed: true } | { readonly allowed: false; readonly msBeforeNext: number };

/** Redis could not be asked, and this limiter does not decide alone (sign-ins, writes). */
export class RateLimiterUnavailableError extends Error {}

export interface SharedRateLimiterOptions {
  redis: Redis;
  /** Keys are `<keyPrefix>:<key>`, rate-limiter-flexible's form, so routers of either kind count together. */
  keyPrefix: string;
  /** Points allowed per window and key. */
  points: number;
  durationMs: number;
  /**
   * The share of the budget a router knows to be left that it may hand out before telling Redis
   * (0: every hit is counted in Redis before it is answered).
   */
  localShare: number;
  /** While Redis is away: decide in memory, per router (true), or refuse (RateLimiterUnavailableError). */
  memoryWhenUnavailable: boolean;
  /** The longest a hit answered here waits before it is counted in Redis (default 100 ms). */
  flushMs?: number;
  /** Hits answered here, over every key, after which they are sent at once (default 1,000). */
  flushAfterHits?: number;
  /** What a router knows of a key is trusted this long after Redis said it (default 1 s); older, the next hit asks again. */
  staleMs?: number;
}

interface Entry {
  readonly key: string;
  /** The count Redis last reported for this window (this router's hits it had received included). */
  known: number;
  /** Hits answered here that no answer of Redis has included yet (sent or not). */
  unconfirmed: number;
  /** The part of `unconfirmed` not sent yet. */
  pending: number;
  /** Points of hits waiting for Redis's count before they are answered. */
  asking: number;
  /** When the window ends (from the key's PTTL). */
  windowEnd: number;
  /** When Redis last reported this key (0: never). */
  syncedAt: number;
  /** A first (or refreshing) look-up in flight: the hits behind it wait for its answer. */
  syncing: Promise<unknown> | undefined;
}

const ALLOWED: Verdict = { allowed: true };
const refused = (msBeforeNext: number): Verdict => ({ allowed: false, msBeforeNext: Math.max(0, msBeforeNext) });

/**
 * KEYS: counters; ARGV[1]: the window in ms; ARGV[i + 1]: what KEYS[i] gains. Answers each key's
 * count and milliseconds left, a fixed window as rate-limiter-flexible keeps it (the key expires
 * with its window).
 */
const COUNT_SCRIPT = `local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCRBY', key, ARGV[i + 1])
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  out[#out + 1] = n
  out[#out + 1] = ttl
end
return out`;

const COUNT_SHA = createHash('sha1').update(COUNT_SCRIPT).digest('hex');

/** Keys per script call on one server (a Cluster gets one call per key: its keys live in different slots). */
const KEYS_PER_CALL = 256;

/**
 * A fixed-window rate limit shared by every router through Redis, answered in memory while a key
 * is far from its limit.
 *
 * - A key this router has not seen in the current window, or not heard of from Redis for
 *   `staleMs`, is counted in Redis before its hit is answered: the router learns what the others
 *   counted.
 * - Then a hit is answered here while the hits this router answered and Redis has not counted yet
 *   stay within `localShare` of what it knows is left; they are sent in one script call every
 *   `flushMs` (or after `flushAfterHits` hits), and each answer tells the router the key's count
 *   again.
 * - Past that share, every hit is counted in Redis before it is answered, so near the limit the
 *   decision is Redis's own, as it was for every hit before.
 *
 * One router alone is exact: every hit it answered is in what it compares with the limit. Refusals
 * never come early: the first `points` hits Redis counts were all allowed. With several routers,
 * the hits allowed past `points` are ones a router answered before Redis counted them, and each
 * router holds at most `localShare` × `points` of those at a time: a client spread over R routers
 * is allowed at most `points` × (1 + R × `localShare`), in practice a few hits more (what the
 * routers answered in the last `flushMs`) (docs/performance.md, "The request path").
 */
export class SharedRateLimiter {
  private readonly entries = new Map<string, Entry>();
  /** Entries with hits not sent yet. */
  private readonly dirty = new Set<Entry>();
  private unsentHits = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly sweeper: NodeJS.Timeout;
  private readonly cluster: boolean;
  private readonly flushMs: number;
  private readonly flushAfterHits: number;
  private readonly staleMs: number;
  /** Script calls made to Redis so far (tests). */
  scriptCalls = 0;
  /** Called with the error when Redis could not be asked (the plugin logs it, at most every 10 s). */
  onRedisError: ((error: unknown) => void) | undefined;

  constructor(private readonly options: SharedRateLimiterOptions) {
    this.cluster = isRedisCluster(options.redis);
    this.flushMs = options.flushMs ?? 100;
    this.flushAfterHits = options.flushAfterHits ?? 1_000;
    this.staleMs = options.staleMs ?? 1_000;
    // Windows that ended leave their entries behind until a sweep (or the key's next hit).
    this.sweeper = setInterval(() => this.sweep(), Math.min(options.durationMs, 10_000));
    this.sweeper.unref();
  }

  /** Takes `points` from `key`'s window: an answer at once when memory can decide, else after Redis has counted it. */
  consume(key: string, points = 1): Verdict | Promise<Verdict> {
    const now = Date.now();
    let entry = this.entries.get(key);
    if (entry && now >= entry.windowEnd && this.over(entry)) entry = undefined;
    if (!entry) {
      entry = { key, known: 0, unconfirmed: 0, pending: 0, asking: 0, windowEnd: now + this.options.durationMs, syncedAt: 0, syncing: undefined };
      this.entries.set(key, entry);
    }
    if (entry.syncing) {
      // Decided once the look-up in flight has told this router the key's count (or failed).
      const again = () => this.consume(key, points);
      return entry.syncing.then(again, again);
    }
    if (entry.syncedAt === 0 || now - entry.syncedAt > this.staleMs) return this.ask(entry, points, true);
    if (entry.known + entry.unconfirmed + entry.asking + points > this.options.points) return refused(entry.windowEnd - now);
    if (entry.unconfirmed + points > Math.floor((this.options.points - entry.known) * this.options.localShare)) return this.ask(entry, points, false);
    this.answerHere(entry, points);
    return ALLOWED;
  }

  /** Sends what is not sent yet, and stops the timers (the router is stopping). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty.size && this.redisReady()) await this.flush().catch(() => undefined);
  }

  private redisReady(): boolean {
    return this.options.redis.status === 'ready';
  }

  /**
   * Forgets an entry whose window has ended, unless a hit waits on Redis for it: its unsent hits
   * belonged to that window (Redis has expired its count too).
   */
  private over(entry: Entry): boolean {
    if (entry.asking > 0 || entry.syncing) return false;
    this.takePending(entry);
    this.entries.delete(entry.key);
    return true;
  }

  /** A hit answered here, to be counted in Redis with the next batch. */
  private answerHere(entry: Entry, points: number): void {
    entry.unconfirmed += points;
    entry.pending += points;
    this.dirty.add(entry);
    this.unsentHits += points;
    this.flushSoon(this.unsentHits >= this.flushAfterHits ? 0 : this.flushMs);
  }

  /** Counts this hit (and the key's unsent ones) in Redis, and answers from the count Redis gives. */
  private ask(entry: Entry, points: number, refresh: boolean): Verdict | Promise<Verdict> {
    if (!this.redisReady()) return this.withoutRedis(entry, points, new Error('Redis is not connected'));
    const sent = this.takePending(entry);
    entry.asking += points;
    const asked = this.count([entry.key], [sent + points]).then(
      ([reply]) => {
        entry.asking -= points;
        entry.unconfirmed -= sent;
        this.learn(entry, reply!, Date.now());
        return reply![0] <= this.options.points ? ALLOWED : refused(entry.windowEnd - Date.now());
      },
      (error: unknown) => {
        entry.asking -= points;
        // The hits answered before stay to be sent; this one is decided without Redis.
        this.putBack(entry, sent);
        return this.withoutRedis(entry, points, error);
      },
    );
    if (!refresh) return asked;
    const syncing = asked.finally(() => {
      if (entry.syncing === syncing) entry.syncing = undefined;
    });
    entry.syncing = syncing;
    return syncing;
  }

  /** Redis could not be asked: reads are decided in memory (this router's count only), anything else is refused. */
  private withoutRedis(entry: Entry, points: number, error: unknown): Verdict {
    this.onRedisError?.(error);
    if (!this.options.memoryWhenUnavailable) throw new RateLimiterUnavailableError(error instanceof Error ? error.message : String(error));
    if (entry.known + entry.unconfirmed + entry.asking + points > this.options.points) return refused(entry.windowEnd - Date.now());
    this.answerHere(entry, points);
    return ALLOWED;
  }

  /** What Redis answered for a key: its count (ours included) and the time left in its window. */
  private learn(entry: Entry, [count, ttl]: [number, number], now: number): void {
    const end = now + (ttl > 0 ? ttl : this.options.durationMs);
    // A later window than the one known here: the key expired in Redis and this count starts it.
    if (end > entry.windowEnd + 1_000) entry.known = count;
    else entry.known = Math.max(entry.known, count);
    entry.windowEnd = end;
    entry.syncedAt = now;
  }

  /** The entry's unsent hits, now on their way. */
  private takePending(entry: Entry): number {
    const sent = entry.pending;
    if (this.dirty.delete(entry)) this.unsentHits -= sent;
    entry.pending = 0;
    return sent;
  }

  /** Hits that could not be sent: sent with a later batch (Redis counts them once it is back, within their window). */
  private putBack(entry: Entry, points: number): void {
    if (points <= 0) return;
    entry.pending += points;
    this.dirty.add(entry);
    this.unsentHits += points;
    this.flushSoon(this.flushMs);
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => undefined);
    }, delayMs);
    this.timer.unref();
  }

  /** Sends every key's unsent hits in one script call (per 256 keys; per key on a Cluster) and learns their counts. */
  private async flush(): Promise<void> {
    if (!this.dirty.size) return;
    if (!this.redisReady()) {
      this.flushSoon(this.flushMs);
      return;
    }
    const batch = [...this.dirty].map((entry) => ({ entry, sent: this.takePending(entry) }));
    try {
      const replies = await this.count(
        batch.map((b) => b.entry.key),
        batch.map((b) => b.sent),
      );
      const now = Date.now();
      batch.forEach(({ entry, sent }, i) => {
        entry.unconfirmed -= sent;
        this.learn(entry, replies[i]!, now);
      });
    } catch (error) {
      for (const { entry, sent } of batch) if (this.entries.get(entry.key) === entry) this.putBack(entry, sent);
      this.onRedisError?.(error);
    }
  }

  private async count(keys: string[], amounts: number[]): Promise<Array<[number, number]>> {
    const { redis, keyPrefix, durationMs } = this.options;
    const call = async (from: number, to: number) => {
      const slice = keys.slice(from, to);
      this.scriptCalls += 1;
      const args: [number, ...Array<string | number>] = [slice.length, ...slice.map((k) => `${keyPrefix}:${k}`), durationMs, ...amounts.slice(from, to)];
      // By its SHA1 (Redis keeps the script once loaded), the text only when Redis does not know it yet.
      const flat = (await redis.evalsha(COUNT_SHA, ...args).catch((error: unknown) => {
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return redis.eval(COUNT_SCRIPT, ...args);
        throw error;
      })) as number[];
      const out: Array<[number, number]> = [];
      for (let i = 0; i < flat.length; i += 2) out.push([Number(flat[i]), Number(flat[i + 1])]);
      return out;
    };
    const step = this.cluster ? 1 : KEYS_PER_CALL;
    const calls: Array<Promise<Array<[number, number]>>> = [];
    for (let from = 0; from < keys.length; from += step) calls.push(call(from, Math.min(keys.length, from + step)));
    return (await Promise.all(calls)).flat();
  }

  /** Drops the entries of windows that ended. */
  private sweep(): void {
    const now = Date.now();
    for (const entry of this.entries.values()) if (now >= entry.windowEnd) this.over(entry);
  }
}
