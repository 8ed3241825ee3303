import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedis } from '@stagelives/platform';
import { scratchSuite } from '@stagelives/devkit';
import { RateLimitedError, ServiceUnavailableError } from '@stagelives/schema';
import { BruteForceGuard } from '../src/auth/brute-force.js';

describe('BruteForceGuard on Redis', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { redisUrl: inject('redisUrl') });

  let n = 0;
  const email = () => `fan${(n += 1)}@example.com`;
  const guard = (maxFailures = 3, lockSeconds = 60) => new BruteForceGuard(scratch.redis, scratch.redisPrefix, maxFailures, lockSeconds);
  const keyOf = async (before: string[]) => (await scratch.keys()).filter((k) => !before.includes(k));

  it('should allow maxFailures attempts, then refuse with RATE_LIMITED and when to retry', async () => {
    const g = guard(3, 60);
    const who = email();
    for (let i = 0; i < 3; i += 1) {
      await g.begin(who);
      await g.failed(who);
    }
    const refused = await g.begin(who).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(RateLimitedError);
    const { code, retryAfter } = (refused as RateLimitedError).extensions as { code: string; retryAfter: number };
    expect(code).toBe('RATE_LIMITED');
    expect(retryAfter).toBeGreaterThan(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const until = Date.parse((refused as Error).message.match(/after (\S+)\.$/)![1]!);
    expect(until - Date.now()).toBeGreaterThan(54_000);
    expect(until - Date.now()).toBeLessThanOrEqual(60_000);
    // Still locked for the right password too: begin() comes before any password check.
    await expect(g.begin(who)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('should count each email on its own', async () => {
    const g = guard(1, 60);
    const a = email();
    const b = email();
    await g.begin(a);
    await expect(g.begin(a)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(g.begin(b)).resolves.toBeUndefined();
  });

  it('should start over after a success', async () => {
    const g = guard(2, 60);
    const who = email();
    await g.begin(who);
    await g.begin(who);
    await g.succeeded(who);
    await g.begin(who);
    await g.begin(who);
    await expect(g.begin(who)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('should count parallel attempts atomically: never more than maxFailures get through', async () => {
    const g = guard(3, 60);
    const who = email();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => g.begin(who)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results.filter((x) => x.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RateLimitedError);
  });

  it('should lock for lockSeconds after the last failure, and keep the email out of Redis', async () => {
    const g = guard(3, 60);
    const who = email();
    const before = await scratch.keys();
    await g.begin(who);
    const [key] = await keyOf(before);
    expect(key).toBeDefined();
    expect(key!.startsWith(`${scratch.redisPrefix}bf:login:`)).toBe(true);
    expect(key).not.toContain(who);
    expect(key).not.toContain('example');
    expect(await scratch.redis.ttl(key!)).toBeGreaterThan(55);
    await scratch.redis.expire(key!, 5); // time passes
    await g.failed(who); // a failure restarts the window
    expect(await scratch.redis.ttl(key!)).toBeGreaterThan(55);
    await g.succeeded(who);
    expect(await scratch.redis.exists(key!)).toBe(0);
  });

  it('should refuse to run unprotected when Redis is away, and not fail on bookkeeping', async () => {
    const down = createRedis('redis://127.0.0.1:1', { retryStrategy: () => null });
    down.on('error', () => undefined);
    try {
      const g = new BruteForceGuard(down, scratch.redisPrefix, 3, 60);
      await expect(g.begin('fan@example.com')).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(g.ensureAvailable()).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(g.failed('fan@example.com')).resolves.toBeUndefined();
      await expect(g.succeeded('fan@example.com')).resolves.toBeUndefined();
    } finally {
      down.disconnect();
    }
    await expect(guard().ensureAvailable()).resolves.toBeUndefined();
  });
});
