import { z } from 'zod';
import { baseEnv, loadConfig, opsServer, type Mongo, type OpsServer, type Redis } from '@stagelives/platform';
import type { WorkerMetrics } from './metrics.js';

const workersEnv = {
  ...baseEnv,
  /** Port of the workers' `/metrics` and `/health/*` (0: a free one, announced and logged). */
  WORKERS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** Address of that port (internal: loopback by default). */
  WORKERS_HOST: z.string().default('127.0.0.1'),
};

export function loadWorkersConfig(e: NodeJS.ProcessEnv = process.env) {
  return loadConfig(workersEnv, e);
}

/**
 * The workers' small HTTP port: `/metrics` (queue depth, jobs, pushes; METRICS_TOKEN when set),
 * `/health/live`, and `/health/ready` (MongoDB and Redis answer; 503 once `draining`).
 */
export function createWorkersServer({
  metrics,
  mongo,
  redis,
  token,
  draining,
}: {
  metrics: WorkerMetrics;
  mongo: Mongo;
  redis: Redis;
  token?: string | undefined;
  draining?: () => boolean;
}): OpsServer {
  return opsServer({ metrics: metrics.metrics, checks: { mongodb: () => mongo.ping(), redis: () => redis.ping() }, token, draining });
}
