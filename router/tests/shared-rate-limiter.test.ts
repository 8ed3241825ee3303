import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedis, redisReady, type Redis } from '@stagelives/platform';
import { LOCAL_SHARE } from '../src/plugins/rate-limit.js';
import { RateLimiterUnavailableError, SharedRateLimiter, type Verdict } from '../src/plugins/shared-rate-limiter.js';

/**
 * The rate limiter of the router's buckets, on the suite's Redis: each "router" is a limiter with
 * its own Redis connection, as two router processes would have.
 */
describe(SharedRateLimiter.name, () => {
  const clients: Redis[] = [];
  const limiters: SharedRateLimiter[] = [];
  const prefix = `t${randomUUID().slice(0, 8)}:rl:test`;
  const router = async (points: number, options: { memoryWhenUnavailable?: boolean; localShare?: number; redis?: Redis } = {}) => {
    const redis = options.redis ?? createRedis(inject('redisUrl'));
    if (!options.redis) {
      clients.push(redis);
      await redisReady(redis);
    }
    const limiter = new SharedRateLimiter({
      redis,
      keyPrefix: prefix,
      points,
      durationMs: 60_000,
      localShare: options.localShare ?? LOCAL_SHARE,
      memoryWhenUnavailable: options.memoryWhenUnavailable ?? true,
    });
    limiters.push(limiter);
    return limiter;
  };
  const allowed = (verdicts: Verdict[]) => verdicts.filter((v) => v.allowed).length;
  let key = '';
  let admin: Redis;
  beforeAll(async () => {
    admin = createRedis(inject('redisUrl'));
    await redisReady(admin);
  });
  afterAll(async () => {
    await Promise.all(limiters.map((l) => l.close()));
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length) await admin.del(...keys);
    await Promise.all([...clients, admin].map((c) => (c.status === 'ready' ? c.quit() : c.disconnect())));
  });
  const fresh = () => (key = `ip:${randomUUID()}`);

  it('should allow exactly the limit to a client of one router, answering most hits without Redis', async () => {
    const one = await router(400);
    fresh();
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 450; i += 1) verdicts.push(await one.consume(key));
    expect(allowed(verdicts)).toBe(400);
    expect(verdicts.slice(0, 400).every((v) => v.allowed)).toBe(true);
    const refusal = verdicts[400]!;
    expect(refusal.allowed).toBe(false);
    if (!refusal.allowed) {
      expect(refusal.msBeforeNext).toBeGreaterThan(50_000);
      expect(refusal.msBeforeNext).toBeLessThanOrEqual(60_000);
    }
    // What Redis counted is what was allowed (the refusals were decided here, over the limit).
    await one.close();
    expect(Number(await admin.get(`${prefix}:${key}`))).toBeGreaterThanOrEqual(400);
    // Redis was asked far less often than once a hit: near the limit every hit, far from it a batch.
    expect(one.scriptCalls).toBeLessThan(80);
  });

  it('should hold the limit across two routers within their local shares, a client spread over both', async () => {
    const limit = 200;
    const a = await router(limit);
    const b = await router(limit);
    fresh();
    // Sixteen clients at once, each alternating between the routers.
    const verdicts: Verdict[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async (_, c) => {
        for (let i = 0; i < 25; i += 1) verdicts.push(await ((c + i) % 2 ? a : b).consume(key));
      }),
    );
    expect(verdicts).toHaveLength(400);
    // Never early; past the limit by at most each router's share (docs/performance.md).
    expect(allowed(verdicts)).toBeGreaterThanOrEqual(limit);
    expect(allowed(verdicts)).toBeLessThanOrEqual(limit + 2 * Math.floor(limit * LOCAL_SHARE));
    // Once both have heard from Redis again, both refuse.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await a.consume(key)).allowed).toBe(false);
    expect((await b.consume(key)).allowed).toBe(false);
  });

  it('should count a sign-in bucket (no local share) in Redis before each hit, exact across routers', async () => {
    const a = await router(5, { localShare: 0 });
    const b = await router(5, { localShare: 0 });
    fresh();
    const verdicts = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).consume(key)));
    expect(allowed(verdicts)).toBe(5);
  });

  it('should decide reads in memory while Redis is away, and refuse what must not run unprotected', async () => {
    const gone = createRedis('redis://127.0.0.1:1', { lazyConnect: true, retryStrategy: () => null });
    clients.push(gone);
    const reads = await router(3, { redis: gone });
    const writes = await router(3, { redis: gone, memoryWhenUnavailable: false });
    fresh();
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 5; i += 1) verdicts.push(await reads.consume(key));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false, false]);
    expect(() => writes.consume(key)).toThrow(RateLimiterUnavailableError);
  });
});
