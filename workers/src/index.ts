import { connectMongo, createLogger, createRedis, redisReady, gracefulShutdown, loadBaseConfig } from '@stagelives/platform';
import { bullConnection, bullPrefix } from './connection.js';
import { createConcertStatusQueue, scheduleConcertStatus } from './concert-status/concert-status.queue.js';
import { createConcertStatusWorker } from './concert-status/concert-status.worker.js';
import { createMaintenanceQueue, scheduleMaintenance } from './maintenance/maintenance.queue.js';
import { createMaintenanceWorker } from './maintenance/maintenance.worker.js';

const logger = createLogger('workers');
try {
  const config = loadBaseConfig();
  const shutdown = gracefulShutdown(logger);
  const connection = bullConnection(config.REDIS_URL);
  const redis = createRedis(config.REDIS_URL);
  await redisReady(redis);
  shutdown.add('redis', async () => {
    await redis.quit();
    await connection.quit();
  });
  const prefix = bullPrefix(config.REDIS_PREFIX);
  const queue = createMaintenanceQueue(connection, prefix);
  await scheduleMaintenance(queue);
  const worker = createMaintenanceWorker({ connection, prefix, redis, redisPrefix: config.REDIS_PREFIX, logger });
  shutdown.add('maintenance', async () => {
    await worker.close();
    await queue.close();
  });
  const mongo = await connectMongo(config.MONGODB_URI, { dbPrefix: config.MONGODB_DB_PREFIX, logger });
  shutdown.add('mongodb', () => mongo.close());
  const statusQueue = createConcertStatusQueue(connection, prefix);
  await scheduleConcertStatus(statusQueue);
  const statusWorker = createConcertStatusWorker({ connection, prefix, db: mongo.db('concerts'), redis, redisPrefix: config.REDIS_PREFIX, logger });
  shutdown.add('concert-status', async () => {
    await statusWorker.close();
    await statusQueue.close();
  });
  logger.info({ queues: [queue.name, statusQueue.name] }, 'workers ready');
} catch (error) {
  logger.fatal({ err: error }, `workers failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
