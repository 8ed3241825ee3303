import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from '@stagelives/platform';
import type { RouterConfig } from '../config.js';

/**
 * The new-connection limit of a subscription transport (graphql-ws, SSE): at most
 * `WS_CONNECTIONS_PER_MINUTE` per client address, counted in Redis by every router (each
 * transport its own count; in memory while Redis is away). The returned check resolves with null
 * when the connection may open, or with the seconds to wait.
 */
export function newConnectionLimit(config: RouterConfig, redis: Redis, transport: 'ws' | 'sse'): (ip: string) => Promise<number | null> {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${config.REDIS_PREFIX}rl:${transport}-connect`,
    points: config.WS_CONNECTIONS_PER_MINUTE,
    duration: 60,
    insuranceLimiter: new RateLimiterMemory({ points: config.WS_CONNECTIONS_PER_MINUTE, duration: 60 }),
  });
  return async (ip) => {
    try {
      await limiter.consume(`ip:${ip}`);
      return null;
    } catch (error) {
      return error instanceof RateLimiterRes ? Math.max(1, Math.ceil(error.msBeforeNext / 1000)) : 5;
    }
  };
}
