import { connectMongo, createLogger, createRedis, gracefulShutdown, loadBaseConfig, redisReady } from '@stagelives/platform';
import { loadNotificationsConfig } from './notifications/notifications.config.js';
import { createPushSender, loadPushConfig } from './push/index.js';
import { createWorkers } from './workers.js';

const logger = createLogger('workers');
try {
  const config = loadBaseConfig();
  const shutdown = gracefulShutdown(logger);
  const redis = createRedis(config.REDIS_URL);
  await redisReady(redis);
  shutdown.add('redis', () => redis.quit());
  const mongo = await connectMongo(config.MONGODB_URI, { dbPrefix: config.MONGODB_DB_PREFIX, logger });
  shutdown.add('mongodb', () => mongo.close());
  const notificationsConfig = loadNotificationsConfig();
  const push = createPushSender(loadPushConfig());
  shutdown.add('push', () => push.close());
  const workers = await createWorkers({ config, logger, redis, mongo, notifications: { config: notificationsConfig, push } });
  shutdown.add('workers', () => workers.close());
  logger.info({ queues: workers.queues }, 'workers ready');
} catch (error) {
  logger.fatal({ err: error }, `workers failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
