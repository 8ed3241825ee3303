import type { ConnectionOptions, Worker } from 'bullmq';
import { detectMongoFeatures, type Logger, type Mongo, type Redis } from '@stagelives/platform';
import { ReminderSource } from '@stagelives/concerts/reminder-source';
import { ensureNotificationIndexes, notificationStore, type NotificationStore } from '@stagelives/notifications/store';
import { startEventConsumers } from './events.consumer.js';
import { FactsCache } from './facts-cache.js';
import { streamLikeChanges } from './like-changes.js';
import { createNotificationsMaintenanceWorker, pruneNotifications } from './maintenance.js';
import type { NotificationsConfig } from './notifications.config.js';
import {
  NotificationsJob,
  createMaintenanceQueue,
  createSendQueue,
  scheduleMaintenance,
  type MaintenanceQueue,
  type SendQueue,
} from './notifications.queue.js';
import { reconcileReminders } from './reconcile.js';
import { ReminderDispatcher, type PushTransport } from './reminder-dispatcher.js';
import { ReminderScheduler } from './reminder-scheduler.js';
import { createSendWorker } from './send.worker.js';

export interface NotificationWorkersDeps {
  config: NotificationsConfig;
  /** BullMQ's connection and key prefix (see ../connection.ts). */
  connection: ConnectionOptions;
  bullPrefix: string;
  /** The stack's Redis (event streams, send holds, locks) and key prefix. */
  redis: Redis;
  redisPrefix: string;
  mongo: Mongo;
  push: PushTransport;
  logger: Logger;
  /** Parts to run, over the config's NOTIFICATIONS_PARTS (tests drive events by hand, benchmarks run send workers alone). */
  run?: { sending?: boolean; events?: boolean; maintenance?: boolean; reconcileAtStart?: boolean };
  /** Whether the server has TTL indexes; detected when not given. */
  ttlIndexes?: boolean;
  clock?: () => Date;
}

export interface NotificationWorkers {
  readonly queues: string[];
  readonly sendQueue: SendQueue;
  readonly maintenanceQueue: MaintenanceQueue;
  readonly store: NotificationStore;
  readonly source: ReminderSource;
  readonly scheduler: ReminderScheduler;
  readonly dispatcher: ReminderDispatcher;
  /** The BullMQ workers running here (metrics watch them). */
  readonly workers: readonly Worker[];
  /** One reconciliation now (serialised with the scheduled ones by a Redis lock). */
  reconcile(): ReturnType<typeof reconcileReminders>;
  close(): Promise<void>;
}

/**
 * The notifications side of a workers process: the send queue and its batching worker, the
 * consumers of the concerts and users event streams, and the maintenance queue (reconciliation,
 * also once at start-up, and pruning). Several processes may run it at once.
 */
export async function createNotificationWorkers(deps: NotificationWorkersDeps): Promise<NotificationWorkers> {
  const { config, connection, bullPrefix, redis, redisPrefix, mongo, push, logger, clock } = deps;
  const parts = config.NOTIFICATIONS_PARTS;
  const run = { sending: parts.has('send'), events: parts.has('events'), maintenance: parts.has('maintenance'), reconcileAtStart: true, ...deps.run };
  const db = mongo.db('notifications');
  const ttlIndexes = deps.ttlIndexes ?? (await detectMongoFeatures(mongo.client, db, logger)).ttlIndexes;
  await ensureNotificationIndexes(db, { ttlIndexes });
  const store = notificationStore(db);
  const source = new ReminderSource(mongo.db('concerts'));
  const sendQueue = createSendQueue(connection, bullPrefix, { attempts: config.NOTIFICATIONS_PUSH_ATTEMPTS, backoffMs: config.NOTIFICATIONS_PUSH_BACKOFF_MS });
  const maintenanceQueue = createMaintenanceQueue(connection, bullPrefix);
  const scheduler = new ReminderScheduler({ store, source, queue: sendQueue, logger, clock });
  const cache = new FactsCache({
    source,
    settings: store.settings,
    ttlMs: config.NOTIFICATIONS_RECHECK_CACHE_MS,
    likeChanges: streamLikeChanges(redis, redisPrefix),
    likesTtlMs: config.NOTIFICATIONS_LIKES_CACHE_MS,
  });
  const dispatcher = new ReminderDispatcher({ store, cache, push, redis, redisPrefix, logger, lockMs: config.NOTIFICATIONS_SEND_LOCK_MS, clock });
  const reconcile = () => reconcileReminders({ store, source, scheduler, queue: sendQueue, redis, redisPrefix, now: clock?.() ?? new Date() });

  const workers: Worker[] = [];
  let consumers: { stop(): Promise<void> } | null = null;
  const close = async () => {
    await consumers?.stop();
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all([sendQueue.close(), maintenanceQueue.close()]);
  };
  try {
    if (run.sending) {
      workers.push(
        createSendWorker({
          connection,
          prefix: bullPrefix,
          dispatcher,
          logger,
          concurrency: config.NOTIFICATIONS_SEND_CONCURRENCY,
          batchSize: config.NOTIFICATIONS_BATCH_SIZE,
          batchWaitMs: config.NOTIFICATIONS_BATCH_WAIT_MS,
          backoffMs: config.NOTIFICATIONS_PUSH_BACKOFF_MS,
          lockDurationMs: config.NOTIFICATIONS_JOB_LOCK_MS,
          stalledIntervalMs: config.NOTIFICATIONS_STALLED_CHECK_MS,
        }),
      );
    }
    if (run.maintenance) {
      await scheduleMaintenance(maintenanceQueue, {
        reconcileEveryMs: config.NOTIFICATIONS_RECONCILE_EVERY_MS,
        pruneEveryMs: config.NOTIFICATIONS_PRUNE_EVERY_MS,
      });
      workers.push(
        createNotificationsMaintenanceWorker({
          connection,
          prefix: bullPrefix,
          logger,
          reconcile,
          prune: () => pruneNotifications(store, clock?.() ?? new Date()),
        }),
      );
      // At start-up too: what was lost while this stack was down (events, Redis data) is caught up now.
      if (run.reconcileAtStart) await maintenanceQueue.add(NotificationsJob.Reconcile, {}, { jobId: `reconcile-start-${Date.now()}-${process.pid}` });
    }
    if (run.events) {
      consumers = startEventConsumers({ redis, redisPrefix, scheduler, logger, claimIdleMs: config.NOTIFICATIONS_EVENTS_CLAIM_IDLE_MS, blockMs: 500 });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    queues: [sendQueue.name, maintenanceQueue.name],
    sendQueue,
    maintenanceQueue,
    store,
    source,
    scheduler,
    dispatcher,
    workers,
    reconcile,
    close,
  };
}
