import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Kind, type GraphQLError, type OperationDefinitionNode } from 'graphql';
import type { Logger, Redis } from '@stagelives/platform';
import { RateLimitedError, ServiceUnavailableError, httpStatusOf, type ErrorCode } from '@stagelives/schema';
import type { RouterConfig } from '../config.js';
import type { RouterContext } from '../context.js';
import { RateLimiterUnavailableError, SharedRateLimiter, type Verdict } from './shared-rate-limiter.js';

/**
 * Root fields that sign someone in, or recover or verify an account by email: each occurrence
 * (alias) costs one point of the strict bucket (per IP when signed out).
 */
const AUTH_FIELDS = new Set(['logIn', 'signUp', 'signInWithGoogle', 'signInWithApple', 'requestPasswordReset', 'resetPassword', 'verifyEmail']);

type Bucket = 'auth' | 'default' | 'publicRead';

/**
 * Of what a router knows is left of a client's budget, the share it may answer before Redis has
 * counted it (shared-rate-limiter.ts): an eighth. A client spread over R routers is then allowed at
 * most R/8 of its limit more in a window, and a client of one router exactly its limit.
 */
export const LOCAL_SHARE = 1 / 8;

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
 * Rate limits shared by every router instance through Redis, keyed by user when signed in and by
 * client IP otherwise: reads, other operations and sign-ins have separate buckets. Reads and
 * other operations are answered in memory while a client is far from its limit and reconciled
 * with Redis in batches (shared-rate-limiter.ts); sign-ins are counted in Redis before each one
 * runs. If Redis is away, reads fall back to this instance's own count (and a warning); sign-ins
 * and other mutations are refused rather than left unprotected.
 */
export function rateLimitPlugin(config: RouterConfig, redis: Redis, logger: Logger): ApolloServerPlugin<RouterContext> {
  const durationMs = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const keyPrefix = `${config.REDIS_PREFIX}rl`;
  const limiter = (bucket: Bucket, points: number, localShare: number, memoryWhenUnavailable: boolean) =>
    new SharedRateLimiter({ redis, keyPrefix: `${keyPrefix}:${bucket}`, points, durationMs, localShare, memoryWhenUnavailable });
  const limiters: Record<Bucket, SharedRateLimiter> = {
    // Brute force: every sign-in attempt is counted in Redis, by every router, before it runs.
    auth: limiter('auth', config.RATE_LIMIT_AUTH, 0, false),
    default: limiter('default', config.RATE_LIMIT_DEFAULT, LOCAL_SHARE, false),
    publicRead: limiter('publicRead', config.RATE_LIMIT_PUBLIC_READ, LOCAL_SHARE, true),
  };
  let warned = 0;
  for (const [bucket, l] of Object.entries(limiters)) {
    l.onRedisError = (error) => {
      if (Date.now() - warned <= 10_000) return;
      warned = Date.now();
      logger.warn({ bucket, err: error instanceof Error ? error.message : String(error) }, 'rate limiter cannot reach Redis');
    };
  }

  async function consume(bucket: Bucket, key: string, points: number) {
    let verdict: Verdict;
    try {
      const answer = limiters[bucket].consume(key, points);
      verdict = answer instanceof Promise ? await answer : answer;
    } catch (error) {
      if (!(error instanceof RateLimiterUnavailableError)) throw error;
      if (bucket === 'auth') throw unavailable('Sign-in is temporarily unavailable. Please try again shortly.');
      throw unavailable('This operation is temporarily unavailable. Please try again shortly.');
    }
    if (!verdict.allowed) throw rateLimited(verdict.msBeforeNext / 1000, bucket);
  }

  const listener: GraphQLRequestListener<RouterContext> = {
    async didResolveOperation({ operation, contextValue: ctx }) {
      if (!operation || ctx.internal) return;
      const key = ctx.session ? `user:${ctx.session.userId}` : `ip:${ctx.clientIp}`;
      if (operation.operation === 'query') {
        await consume('publicRead', key, 1);
        return;
      }
      if (ctx.sessionLookupFailed) throw unavailable('Sessions are temporarily unavailable. Please try again shortly.');
      const signIns = authFieldCount(operation);
      if (signIns > 0) await consume('auth', key, signIns);
      await consume('default', key, 1);
    },
  };

  return {
    async serverWillStart() {
      return {
        async serverWillStop() {
          await Promise.all(Object.values(limiters).map((l) => l.close()));
        },
      };
    },
    // No per-request state: one listener serves every request.
    requestDidStart: async () => listener,
  };
}
