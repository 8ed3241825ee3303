import { healthRouter, type Redis } from '@stagelives/platform';

/**
 * `/health/live`, and `/health/ready` (alias `/health`): Redis and every subgraph's own
 * readiness must answer; 503 from the start of a shutdown.
 */
export function routerHealth(redis: Redis, subgraphUrls: Record<string, string>, draining?: () => boolean) {
  const subgraphChecks = Object.entries(subgraphUrls).map(([name, url]) => [
    name,
    async () => {
      const res = await fetch(new URL('/health/ready', url), { signal: AbortSignal.timeout(1_500) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
  ]);
  return healthRouter({ redis: () => redis.ping(), ...Object.fromEntries(subgraphChecks) }, { readyPaths: ['/health', '/health/ready'], draining });
}
