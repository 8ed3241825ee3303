// Tracing starts before anything else loads (OTEL_EXPORTER_OTLP_ENDPOINT; off when unset).
import '@stagelives/platform/telemetry/register';
import { announceListening, connectMongo, createLogger, createRedis, gracefulShutdown, mongoClientOptions, redisReady } from '@stagelives/platform';
import { loadNotificationsConfig } from './notifications/notifications.config.js';
import { createPushSender, loadPushConfig } from './push/index.js';
import { createWorkersServer, loadWorkersConfig } from './server.js';
import { createWorkers } from './workers.js';

const logger = createLogger('workers');
try {
  const config = loadWorkersConfig();
  // Closers run last-added first: readiness turns 503 at once, then the workers finish their
  // running jobs (or hand them back), the metrics/health port, push, MongoDB, Redis.
  const shutdown = gracefulShutdown(logger, { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  const redis = createRedis(config.REDIS_URL);
  await redisReady(redis);
  shutdown.add('redis', () => redis.quit());
  const mongo = await connectMongo(config.MONGODB_URI, { dbPrefix: config.MONGODB_DB_PREFIX, logger, ...mongoClientOptions(config) });
  shutdown.add('mongodb', () => mongo.close());
  const notificationsConfig = loadNotificationsConfig();
  const push = createPushSender(loadPushConfig());
  shutdown.add('push', () => push.close());
  const workers = await createWorkers({ config, logger, redis, mongo, notifications: { config: notificationsConfig, push } });
  const server = createWorkersServer({ metrics: workers.metrics, mongo, redis, token: config.METRICS_TOKEN, draining: () => shutdown.draining });
  shutdown.add('http', () => server.close());
  shutdown.add('workers', () => workers.close());
  // Runs first: readiness answers 503 for SHUTDOWN_DELAY_MS before the workers stop taking jobs
  // (0 unless set: no load balancer sends the workers traffic; a probe or a test can watch it).
  shutdown.add('readiness', () => new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_DELAY_MS ?? 0)));
  const port = await server.listen(config.WORKERS_PORT, config.WORKERS_HOST);
  logger.info({ queues: workers.queues, port }, `workers ready; metrics on http://${config.WORKERS_HOST}:${port}/metrics`);
  announceListening('workers', port);
} catch (error) {
  logger.fatal({ err: error }, `workers failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
