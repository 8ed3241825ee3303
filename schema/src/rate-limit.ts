import 'reflect-metadata';
import { rateLimitDirective } from 'graphql-rate-limit-directive';
import { Directive } from 'type-graphql';

/** The name of graphql-rate-limit-directive's directive in our SDL (without `@`). */
export const RATE_LIMIT_DIRECTIVE = 'rateLimit';

/**
 * The definition of `@rateLimit(limit, duration)` (graphql-rate-limit-directive's own), added to
 * every subgraph's SDL. A subgraph-only directive: composition leaves it out of the supergraph;
 * each subgraph enforces its own (platform's `applyFieldRateLimits`, on the subgraph server).
 */
export const RATE_LIMIT_SDL = rateLimitDirective({ name: RATE_LIMIT_DIRECTIVE }).rateLimitDirectiveTypeDefs;

/**
 * A per-user limit on a field, declared where the field is defined and visible in the subgraph's
 * SDL: `limit` calls per `durationSeconds`, counted in Redis across instances. A call that fails
 * (refused input, not allowed) gives its point back. Limits that protect the whole graph (per IP,
 * sign-ins) are the router's buckets, not these.
 */
export const RateLimit = (limit: number, durationSeconds: number) => Directive(`@${RATE_LIMIT_DIRECTIVE}(limit: ${limit}, duration: ${durationSeconds})`);
