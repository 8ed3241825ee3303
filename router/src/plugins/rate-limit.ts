import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type GraphQLError, type OperationDefinitionNode } from 'graphql';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from '@stagelives/platform';
import { RateLimitedError, ServiceUnavailableError, httpStatusOf, type ErrorCode } from '@stagelives/schema';
import type { RouterConfig } from '../config.js';
import type { RouterContext } from '../context.js';

/**
 * Root fields that sign someone in, or recover or verify an account by email: each occurrence
 * (alias) costs one point of the strict bucket (per IP when signed out).
 */
const AUTH_FIELDS = new Set(['logIn', 'signUp', 'signInWithGoogle', 'signInWithApple', 'requestPasswordReset', 'resetPassword', 'verifyEmail']);

type Bucket = 'auth' | 'default' | 'publicRead';

/** Gives an error raised before execution the HTTP status of its code and a Retry-After header. */
function withHttp<E extends GraphQLError>(error: E, retryAfter: number): E {
  const code = error.extensions.code as ErrorCode;
  Object.assign(error.extensions, { http: { status: httpStatusOf[code], headers: new Map([['retry-after', String(retryAfter)]]) } });
  return error;
}

function rateLimited(retryAfterSeconds: number, bucket: Bucket): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  const error = new RateLimitedError(`Too many requests. Try again in ${retryAfter} s.`, retryAfter);
  Object.assign(error.extensions, { bucket });
  return withHttp(error, retryAfter);
}

const unavailable = (message: string) => withHttp(new ServiceUnavailableError(message), 5);

/** Counts root fields that are sign-in mutations, aliases included. */
function authFieldCount(operation: OperationDefinitionNode): number {
  if (operation.operation !== 'mutation') return 0;
  return operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && AUTH_FIELDS.has(s.name.value)).length;
}

/**
 * Redis-backed rate limits (shared by every router instance), keyed by user when signed in
 * and by client IP otherwise: reads, other operations and sign-ins have separate buckets.
 * If Redis is away, reads fall back to a per-instance in-memory limiter (and a warning);
 * sign-ins and other mutations are refused rather than left unprotected.
 */
export function rateLimitPlugin(config: RouterConfig, redis: Redis): ApolloServerPlugin<RouterContext> {
  const duration = config.RATE_LIMIT_WINDOW_SECONDS;
  const keyPrefix = `${config.REDIS_PREFIX}rl`;
  const limiter = (bucket: Bucket, points: number, insurance: boolean) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}:${bucket}`,
      points,
      duration,
      rejectIfRedisNotReady: true,
      ...(insurance ? { insuranceLimiter: new RateLimiterMemory({ points, duration, keyPrefix: `${keyPrefix}:mem:${bucket}` }) } : {}),
    });
  const limiters: Record<Bucket, RateLimiterRedis> = {
    auth: limiter('auth', config.RATE_LIMIT_AUTH, false),
    default: limiter('default', config.RATE_LIMIT_DEFAULT, false),
    publicRead: limiter('publicRead', config.RATE_LIMIT_PUBLIC_READ, true),
  };
  let warned = 0;

  async function consume(bucket: Bucket, key: string, points: number, ctx: RouterContext) {
    try {
      await limiters[bucket].consume(key, points);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw rateLimited(error.msBeforeNext / 1000, bucket);
      if (Date.now() - warned > 10_000) {
        warned = Date.now();
        ctx.logger.warn({ bucket, err: error instanceof Error ? error.message : String(error) }, 'rate limiter cannot reach Redis');
      }
      if (bucket === 'auth') throw unavailable('Sign-in is temporarily unavailable. Please try again shortly.');
      throw unavailable('This operation is temporarily unavailable. Please try again shortly.');
    }
  }

  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue: ctx }) {
          if (!operation || ctx.internal) return;
          const key = ctx.session ? `user:${ctx.session.userId}` : `ip:${ctx.clientIp}`;
          if (operation.operation === 'query') {
            await consume('publicRead', key, 1, ctx);
            return;
          }
          if (ctx.sessionLookupFailed) throw unavailable('Sessions are temporarily unavailable. Please try again shortly.');
          const signIns = authFieldCount(operation);
          if (signIns > 0) await consume('auth', key, signIns, ctx);
          await consume('default', key, 1, ctx);
        },
      };
    },
  };
}
