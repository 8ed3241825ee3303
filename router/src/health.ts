import { healthRouter, type Redis } from '@stagelives/platform';
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
 * with SUBGRAPH_UNAVAILABLE instead). `/health/subgraphs`: each subgraph's breaker state and last
 * failure, for people and dashboards (names only, never URLs); always 200.
 */
export function routerHealth(redis: Redis, sources: RouterHealthSources, draining?: () => boolean) {
  const router = healthRouter(
    {
      redis: () => redis.ping(),
      supergraph: async () => {
        if (!sources.supergraphLoaded()) throw new Error('not loaded yet');
      },
    },
    { readyPaths: ['/health', '/health/ready'], draining },
  );
  router.get('/health/subgraphs', (_req, res) => {
    const subgraphs = sources.subgraphs();
    const degraded = Object.values(subgraphs).some((s) => s.state !== 'closed');
    res.set('cache-control', 'no-store').json({ status: degraded ? 'degraded' : 'ok', subgraphs });
  });
  return router;
}
