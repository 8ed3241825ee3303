import { createServer, type Server } from 'node:http';
import express from 'express';
import { healthRouter, type HealthCheck } from './health.js';
import { closeServer, listen } from './listen.js';
import { metricsHandler, type Metrics } from './metrics.js';

export interface OpsServer {
  readonly httpServer: Server;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * A small internal HTTP port for a process that serves nothing else (the workers):
 * `/metrics` (bearer `token` when given), `/health/live`, and `/health/ready` (the `checks`;
 * 503 once `draining`).
 */
export function opsServer({
  metrics,
  checks,
  token,
  draining,
}: {
  metrics: Metrics;
  checks: Record<string, HealthCheck>;
  token?: string | undefined;
  draining?: () => boolean;
}): OpsServer {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRouter(checks, { draining }));
  app.get('/metrics', metricsHandler(metrics, { token }));
  const httpServer = createServer(app);
  return {
    httpServer,
    listen: (port, host = '127.0.0.1') => listen(httpServer, port, host),
    close: async () => {
      if (httpServer.listening) await closeServer(httpServer);
    },
  };
}
