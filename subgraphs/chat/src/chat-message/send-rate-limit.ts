import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from '@stagelives/platform';
import { RateLimitedError } from '@stagelives/schema';

/** Takes one send from a user's allowance, or throws RATE_LIMITED with `retryAfter` seconds. */
export interface SendRateLimit {
  consume(userId: string): Promise<void>;
}

/**
 * `points` messages per user per `durationSeconds`, counted in Redis so every chat instance
 * shares the count. While Redis is away each instance counts in memory instead (the message
 * store does not depend on Redis, so neither does sending).
 */
export class RedisSendRateLimit implements SendRateLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, { redisPrefix, points, durationSeconds }: { redisPrefix: string; points: number; durationSeconds: number }) {
    const keyPrefix = `${redisPrefix}chat:send`;
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix,
      points,
      duration: durationSeconds,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${keyPrefix}:mem`, points, duration: durationSeconds }),
    });
  }

  async consume(userId: string): Promise<void> {
    try {
      await this.limiter.consume(userId);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw new RateLimitedError('You are sending messages too fast. Please wait a moment.', error.msBeforeNext / 1000);
      throw error;
    }
  }
}
