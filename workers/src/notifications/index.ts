// `@stagelives/workers/notifications`: the notifications workers (BullMQ queues and workers that
// call into the notifications domain, `@stagelives/notifications/store`), for workers.ts, the
// tests and the benchmarks (send queue and its jobs for bulk scheduling, send workers with
// createNotificationWorkers({ run: { sending: true, … } })).
export * from './notifications.js';
export * from './notifications.config.js';
export * from './notifications.queue.js';
export * from './upkeep.worker.js';
export * from './send.worker.js';
export * from './batcher.js';
// What a process running them needs besides (tests, benchmarks): BullMQ's connection and key
// prefix, and the push transport.
export { bullConnection, bullPrefix } from '../connection.js';
export { createPushSender, loadPushConfig, localFcmEnv, type PushSender } from '../push/index.js';
