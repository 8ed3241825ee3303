// Tracing starts before anything else loads (OTEL_EXPORTER_OTLP_ENDPOINT; off when unset).
import '@stagelives/platform/telemetry/register';
import { announceListening, createLogger, createRedis, redisReady, gracefulShutdown } from '@stagelives/platform';
import { loadRouterConfig } from './config.js';
import { createRouterServer } from './server.js';

const logger = createLogger('router');
try {
  const config = loadRouterConfig();
  // Closers run last-added first: the router (readiness 503, drain, WebSockets 1001), then Redis.
  const shutdown = gracefulShutdown(logger, { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  const redis = createRedis(config.REDIS_URL);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  await redisReady(redis);
  shutdown.add('redis', () => redis.quit());
  const server = await createRouterServer({ config, logger, redis });
  shutdown.add('http', () => server.close());
  announceListening('router', await server.listen());
} catch (error) {
  logger.fatal({ err: error }, `router failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
