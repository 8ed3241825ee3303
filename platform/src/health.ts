import { Router } from 'express';

export type HealthCheck = () => Promise<unknown>;

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every readiness check in parallel; `ready` only when all pass. */
async function readiness(checks: Record<string, HealthCheck>, timeoutMs = 2_000) {
  const entries = await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const));
  const results = Object.fromEntries(entries);
  const ready = entries.every(([, r]) => r === 'ok');
  return { status: ready ? 'ready' : 'unavailable', ready, checks: results };
}

/**
 * `/health/live` (the process answers) and `/health/ready` (its dependencies answer, 503 when
 * one does not, and while `draining`). `readyPaths` adds aliases of the readiness check (the router also answers `/health`).
 */
export function healthRouter(
  checks: Record<string, HealthCheck>,
  { readyPaths = ['/health/ready'], draining }: { readyPaths?: string[]; draining?: () => boolean } = {},
): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'live' });
  });
  for (const path of readyPaths) {
    router.get(path, async (_req, res) => {
      // Shutting down: not ready, whatever the dependencies say (load balancers stop sending).
      if (draining?.()) {
        res.status(503).json({ status: 'draining', checks: {} });
        return;
      }
      const result = await readiness(checks);
      res.status(result.ready ? 200 : 503).json({ status: result.status, checks: result.checks });
    });
  }
  return router;
}
