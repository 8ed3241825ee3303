import { MapperKind, getDirective, mapSchema } from '@graphql-tools/utils';
import { type GraphQLFieldConfig, type GraphQLResolveInfo, type GraphQLSchema, defaultFieldResolver } from 'graphql';
import { rateLimitDirective } from 'graphql-rate-limit-directive';
import { type IRateLimiterRedisOptions, RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import { RATE_LIMIT_DIRECTIVE, RateLimitedError } from '@stagelives/schema';
import type { Redis } from '../redis/redis.js';
import type { BaseContext } from './authorization.js';

interface FieldRateLimitOptions {
  redis: Redis;
  /** The deployment's Redis key prefix; counts live under `<prefix>field:<Type.field>:<user>`. */
  redisPrefix: string;
  /** Multiplies every declared limit (`FIELD_RATE_LIMIT_FACTOR`). */
  factor: number;
}

interface RateLimitArgs {
  limit: number;
  duration: number;
}

/** One count per user and field: a signed-out caller (the permissions refuse them first) shares one. */
const keyOf = (ctx: BaseContext, info: GraphQLResolveInfo): string => `${info.parentType.name}.${info.fieldName}:${ctx.viewer?.userId ?? 'anonymous'}`;

function onLimit(response: RateLimiterRes): never {
  const retryAfter = Math.max(1, Math.ceil(response.msBeforeNext / 1000));
  throw new RateLimitedError(`You are doing this too often. Please try again in ${retryAfter} s.`, retryAfter);
}

/**
 * Enforces the `@rateLimit(limit, duration)` declarations of a subgraph's schema with
 * graphql-rate-limit-directive: per user and field, counted in Redis (every instance shares the
 * count; while Redis is away each instance counts in memory, so the field keeps working). A call
 * whose resolver throws — refused input, not allowed, not found — gives its point back: only
 * what happened counts. Apply it before the permissions, so they run first.
 */
export function applyFieldRateLimits(schema: GraphQLSchema, { redis, redisPrefix, factor }: FieldRateLimitOptions): GraphQLSchema {
  const keyPrefix = `${redisPrefix}field`;
  // One limiter per declared (limit, duration), as the directive creates them: the refund uses the same.
  const limiters = new Map<string, RateLimiterRedis>();
  const limiterFor = ({ limit, duration }: RateLimitArgs): RateLimiterRedis => {
    const id = `${limit}/${duration}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      const points = Math.max(1, Math.round(limit * factor));
      limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix,
        points,
        duration,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${keyPrefix}:mem`, points, duration }),
      });
      limiters.set(id, limiter);
    }
    return limiter;
  };
  // The directive constructs its limiters through this class: hand it ours.
  class DeclaredLimiter extends RateLimiterRedis {
    constructor(options: IRateLimiterRedisOptions) {
      super({ storeClient: redis });
      // biome-ignore lint/correctness/noConstructorReturn: the directive must count with the limiter the refund uses
      return limiterFor({ limit: options.points ?? 0, duration: options.duration ?? 0 });
    }
  }

  // Inside first: a resolver that throws gives the point back.
  const refunding = mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field: GraphQLFieldConfig<unknown, BaseContext>, _name, _type, s) => {
      const declared = getDirective(s, field, RATE_LIMIT_DIRECTIVE)?.[0] as RateLimitArgs | undefined;
      if (!declared) return field;
      const resolve = field.resolve ?? defaultFieldResolver;
      return {
        ...field,
        resolve: async (source, args, ctx, info) => {
          try {
            return await resolve(source, args, ctx, info);
          } catch (error) {
            await limiterFor(declared)
              .reward(keyOf(ctx, info))
              .catch(() => undefined);
            throw error;
          }
        },
      };
    },
  });
  const { rateLimitDirectiveTransformer } = rateLimitDirective<BaseContext, IRateLimiterRedisOptions>({
    name: RATE_LIMIT_DIRECTIVE,
    keyGenerator: (_declared, _source, _args, ctx, info) => keyOf(ctx, info),
    onLimit,
    limiterClass: DeclaredLimiter as unknown as typeof RateLimiterRedis,
  });
  return rateLimitDirectiveTransformer(refunding);
}
