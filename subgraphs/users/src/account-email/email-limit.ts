import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimitedError, ServiceUnavailableError } from '@stagelives/schema';

// Counts one request and returns the count and the window's remaining seconds, atomically.
const COUNT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('TTL', KEYS[1])}
`;

/**
 * Requests per email address in a fixed window, counted in Redis (every instance shares the
 * count) whether or not an account has the address, so the limit tells nothing about accounts.
 * The router's `auth` bucket limits the same operations per client IP.
 */
export class EmailRateLimit {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly name: string,
    private readonly limit: number,
    private readonly windowSeconds: number,
  ) {}

  /** Counts a request for `emailLower`; RATE_LIMITED past the limit, SERVICE_UNAVAILABLE when Redis is away. */
  async consume(emailLower: string): Promise<void> {
    const key = `${this.prefix}users:limit:${this.name}:${createHash('sha256').update(emailLower).digest('base64url')}`;
    let result: [number, number];
    try {
      result = (await this.redis.eval(COUNT, 1, key, this.windowSeconds)) as [number, number];
    } catch {
      throw new ServiceUnavailableError('This is temporarily unavailable. Please try again shortly.');
    }
    const [count, ttl] = result;
    if (count > this.limit) {
      const retryAfter = Math.max(1, ttl);
      throw new RateLimitedError(`Too many requests for this email address. Try again in ${Math.ceil(retryAfter / 60)} minutes.`, retryAfter);
    }
  }
}
