import type { RequestHandler } from 'express';
import { healthRouter, operatorOnly, type Redis } from '@stagelives/platform';
import type { SubgraphHealth } from './resilience/index.js';

export interface RouterHealthSources {
  /** Whether the gateway has loaded its supergraph (it can plan queries). */
  supergraphLoaded(): boolean;
  /** Each subgraph's circuit breaker (resilience/). */
  subgraphs(): Record<string, SubgraphHealth>;
}

/**
 * `/health/live`; `/health/ready` (alias `/health`): can this router serve — its Redis answers
 * and its supergraph is loaded; 503 from the start of a shutdown. Subgraphs are not part of it:
 * one subgraph down must not take every router replica out of the Service (its fields are null
 * with SUBGRAPH_UNAVAILABLE instead); they are in `subgraphHealth`.
 */
export function routerHealth(redis: Redis, sources: Pick<RouterHealthSources, 'supergraphLoaded'>, draining?: () => boolean) {
  return healthRouter(
    {
      redis: () => redis.ping(),
      supergraph: async () => {
        if (!sources.supergraphLoaded()) throw new Error('not loaded yet');
      },
    },
    { readyPaths: ['/health', '/health/ready'], draining },
  );
}

/** Where `/health/subgraphs` is served: an operator endpoint, exposed as `/metrics` is (see metricsExposure). */
export const SUBGRAPH_HEALTH_PATH = '/health/subgraphs';

/**
 * `GET /health/subgraphs`: each subgraph's breaker state and last failure, for operators and
 * dashboards (names only, never URLs); always 200. Guarded by METRICS_TOKEN when set.
 */
export function subgraphHealth(sources: Pick<RouterHealthSources, 'subgraphs'>, token: string | undefined): RequestHandler {
  const guard = operatorOnly(token);
  return (req, res) => {
    if (!guard(req, res)) return;
    const subgraphs = sources.subgraphs();
    const degraded = Object.values(subgraphs).some((s) => s.state !== 'closed');
    res.set('cache-control', 'no-store').json({ status: degraded ? 'degraded' : 'ok', subgraphs });
  };
}
