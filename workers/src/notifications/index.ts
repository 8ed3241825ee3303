// `@stagelives/workers/notifications`: the notifications workers, for workers.ts, the tests and
// the benchmarks (bulk scheduling with ReminderScheduler.schedule, send workers with
// createNotificationWorkers({ run: { sending: true, … } })).
export * from './notifications.js';
export * from './notifications.config.js';
export * from './notifications.queue.js';
export * from './reminder-scheduler.js';
export * from './reminder-dispatcher.js';
export * from './facts-cache.js';
export * from './reconcile.js';
export * from './maintenance.js';
export * from './events.consumer.js';
export * from './send.worker.js';
export * from './batcher.js';
// What a process running them needs besides (tests, benchmarks): BullMQ's connection and key
// prefix, and the push transport.
export { bullConnection, bullPrefix } from '../connection.js';
export { createPushSender, loadPushConfig, localFcmEnv, type PushSender } from '../push/index.js';
