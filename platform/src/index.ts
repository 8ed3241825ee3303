// The process runtime every service shares; no GraphQL here (the subgraph runtime is
// `@stagelives/platform/subgraph`, so workers and scripts do not load it).
export * from './config.js';
export * from './logger.js';
export * from './health.js';
export * from './shutdown.js';
export * from './listen.js';
export * from './group-commit.js';
export * from './metrics.js';
export * from './ops-server.js';
export * from './mongo/mongo.js';
export * from './mongo/mongo-features.js';
export * from './mongo/mongo-errors.js';
export * from './mongo/ensure-indexes.js';
export * from './mongo/find-by-ids.js';
export * from './mongo/estimated-count.js';
export * from './mongo/keyset.js';
export * from './mongo/user-link.repository.js';
export * from './redis/redis.js';
export * from './redis/session-store.js';
export * from './redis/stream-consumer.js';
export * from './redis/user-deleted-consumer.js';
