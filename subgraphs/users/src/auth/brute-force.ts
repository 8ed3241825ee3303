import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimitedError, ServiceUnavailableError } from '@stagelives/schema';

// Counts an attempt and reports the count and the key's remaining lifetime, atomically.
const ATTEMPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('TTL', KEYS[1])}
`;

/**
 * Per-email log-in failure counter in Redis. An attempt is counted *before* the password is
 * checked, so concurrent (aliased or batched) attempts cannot slip past the limit; a success
 * clears the counter; the failure that reaches the limit locks the email for `lockSeconds`.
 */
export class BruteForceGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxFailures: number,
    private readonly lockSeconds: number,
  ) {}

  private key(email: string) {
    return `${this.prefix}bf:login:${createHash('sha256').update(email).digest('base64url')}`;
  }

  /** Reserves one attempt; throws RATE_LIMITED while locked, SERVICE_UNAVAILABLE when Redis is away. */
  async begin(email: string): Promise<void> {
    let result: [number, number];
    try {
      result = (await this.redis.eval(ATTEMPT, 1, this.key(email), this.lockSeconds)) as [number, number];
    } catch {
      throw new ServiceUnavailableError('Sign-in is temporarily unavailable. Please try again shortly.');
    }
    const [count, ttl] = result;
    if (count > this.maxFailures) {
      const retryAfter = Math.max(1, ttl);
      const until = new Date(Date.now() + retryAfter * 1000).toISOString();
      throw new RateLimitedError(`Too many failed log-ins for this email. Try again after ${until}.`, retryAfter);
    }
  }

  /** Throws SERVICE_UNAVAILABLE unless Redis answers: sign-up and log-in never run unprotected. */
  async ensureAvailable(): Promise<void> {
    try {
      await this.redis.ping();
    } catch {
      throw new ServiceUnavailableError('Sign-in is temporarily unavailable. Please try again shortly.');
    }
  }

  /** A failed attempt: (re)start the lock window so it ends `lockSeconds` after the last failure. */
  async failed(email: string): Promise<void> {
    await this.redis.expire(this.key(email), this.lockSeconds).catch(() => undefined);
  }

  async succeeded(email: string): Promise<void> {
    await this.redis.del(this.key(email)).catch(() => undefined);
  }
}
