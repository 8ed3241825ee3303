import { loadBaseConfig } from '../config.js';
import { announceListening } from '../listen.js';
import { createLogger } from '../logger.js';
import { detectMongoFeatures } from '../mongo/mongo-features.js';
import { connectMongo, mongoClientOptions } from '../mongo/mongo.js';
import { createRedis, redisReady } from '../redis/redis.js';
import { gracefulShutdown } from '../shutdown.js';
import type { SubgraphFactory } from './deps.js';

/**
 * The `main()` of a subgraph process: config → connections → server → listen.
 * Listens on `SUBGRAPH_PORT` (default 0: a free port, announced to the dev orchestrator)
 * and `SUBGRAPH_HOST` (default 127.0.0.1: subgraphs are internal).
 */
export async function runSubgraph(name: string, create: SubgraphFactory): Promise<void> {
  const logger = createLogger(name);
  try {
    const config = loadBaseConfig();
    // Closers run last-added first: HTTP (readiness 503, drain), then Redis, then MongoDB.
    const shutdown = gracefulShutdown(logger, { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
    const mongo = await connectMongo(config.MONGODB_URI, { dbPrefix: config.MONGODB_DB_PREFIX, logger, ...mongoClientOptions(config) });
    shutdown.add('mongodb', () => mongo.close());
    const redis = createRedis(config.REDIS_URL);
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
    await redisReady(redis);
    shutdown.add('redis', () => redis.quit());
    const features = await detectMongoFeatures(mongo.client, mongo.db(name), logger);
    const server = await create({ config, env: process.env, logger, mongo, redis, features });
    shutdown.add('http', () => server.close());
    const port = await server.listen(Number(process.env.SUBGRAPH_PORT ?? 0), process.env.SUBGRAPH_HOST ?? '127.0.0.1');
    announceListening(name, port);
  } catch (error) {
    logger.fatal({ err: error }, `${name} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
