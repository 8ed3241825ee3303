// The process runtime every service shares; no GraphQL here (the subgraph runtime is
// `@stagelives/platform/subgraph`, so workers and scripts do not load it). Only what other
// packages use is exported: a module's other exports stay its own.
export { type AuditApplier, type AuditIntent, AuditTrail } from './audit/audit-trail.js';
export { type BaseConfig, ConfigError, baseEnv, env, loadBaseConfig, loadConfig, shutdownDelayMs, subgraphUrls } from './config.js';
export { GroupCommit } from './group-commit.js';
export { healthRouter } from './health.js';
export { announceListening, closeServer, httpDrain, listen } from './listen.js';
export { type Logger, createLogger } from './logger.js';
export { Counter, METRICS_PREFIX, Metrics, errorCodeLabel, metricsHandler, operationNames, operatorOnly } from './metrics.js';
export { ensureIndexes, expiryIndex } from './mongo/ensure-indexes.js';
export { estimatedCount } from './mongo/estimated-count.js';
export { byId, equalityReadsFor, findByIds, oneOf, perValue, pointReadsFor } from './mongo/find-by-ids.js';
export { type KeysetPosition, keysetAfter } from './mongo/keyset.js';
export { duplicateKeyText, isDuplicateKeyError } from './mongo/mongo-errors.js';
export { detectMongoFeatures, type MongoFeatures } from './mongo/mongo-features.js';
export { type Mongo, connectMongo, mongoClientOptions } from './mongo/mongo.js';
export { UserLinkRepository } from './mongo/user-link.repository.js';
export { type OpsServer, opsServer } from './ops-server.js';
export { Redis, createRedis, duplicateRedis, isRedisCluster, redisReady } from './redis/redis.js';
export { type Session, SessionStore } from './redis/session-store.js';
export { startStreamConsumer } from './redis/stream-consumer.js';
export { onContentModerated } from './redis/content-moderated-consumer.js';
export { onUserDeleted } from './redis/user-deleted-consumer.js';
export { gracefulShutdown } from './shutdown.js';
