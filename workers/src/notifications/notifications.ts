import type { ConnectionOptions, Worker } from 'bullmq';
import { detectMongoFeatures, type Logger, type Mongo, type Redis } from '@stagelives/platform';
import { ReminderSource } from '@stagelives/concerts/reminder-source';
import {
  FactsCache,
  ReminderDispatcher,
  ReminderScheduler,
  ensureNotificationIndexes,
  notificationStore,
  pruneNotifications,
  reconcileReminders,
  startEventConsumers,
  streamLikeChanges,
  type NotificationStore,
  type PushTransport,
} from '@stagelives/notifications/store';
import type { NotificationsConfig } from './notifications.config.js';
import {
  NotificationsJob,
  createSendQueue,
  createUpkeepQueue,
  scheduleUpkeep,
  sendQueueJobs,
  type SendQueue,
  type UpkeepQueue,
} from './notifications.queue.js';
import { createSendWorker } from './send.worker.js';
import { createNotificationsUpkeepWorker } from './upkeep.worker.js';

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
  run?: { sending?: boolean; events?: boolean; upkeep?: boolean; reconcileAtStart?: boolean };
  /** Whether the server has TTL indexes; detected when not given. */
  ttlIndexes?: boolean;
  clock?: () => Date;
}

export interface NotificationWorkers {
  readonly queues: string[];
  readonly sendQueue: SendQueue;
  readonly upkeepQueue: UpkeepQueue;
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
 * consumers of the concerts, users and notifications event streams, and the upkeep queue
 * (reconciliation, also once at start-up, and pruning). Every decision is the notifications
 * domain's (`@stagelives/notifications/store`); this wires its services to BullMQ, Redis and the
 * push transport. Several processes may run it at once.
 */
export async function createNotificationWorkers(deps: NotificationWorkersDeps): Promise<NotificationWorkers> {
  const { config, connection, bullPrefix, redis, redisPrefix, mongo, push, logger, clock } = deps;
  const parts = config.NOTIFICATIONS_PARTS;
  const run = { sending: parts.has('send'), events: parts.has('events'), upkeep: parts.has('upkeep'), reconcileAtStart: true, ...deps.run };
  const db = mongo.db('notifications');
  const ttlIndexes = deps.ttlIndexes ?? (await detectMongoFeatures(mongo.client, db, logger)).ttlIndexes;
  await ensureNotificationIndexes(db, { ttlIndexes });
  const store = notificationStore(db);
  const source = new ReminderSource(mongo.db('concerts'));
  const sendQueue = createSendQueue(connection, bullPrefix, { attempts: config.NOTIFICATIONS_PUSH_ATTEMPTS, backoffMs: config.NOTIFICATIONS_PUSH_BACKOFF_MS });
  const upkeepQueue = createUpkeepQueue(connection, bullPrefix);
  const jobs = sendQueueJobs(sendQueue, redis);
  const scheduler = new ReminderScheduler({ store, source, jobs, logger, clock });
  const cache = new FactsCache({
    source,
    settings: store.settings,
    ttlMs: config.NOTIFICATIONS_RECHECK_CACHE_MS,
    likeChanges: streamLikeChanges(redis, redisPrefix),
    likesTtlMs: config.NOTIFICATIONS_LIKES_CACHE_MS,
  });
  const dispatcher = new ReminderDispatcher({ store, cache, push, redis, redisPrefix, logger, lockMs: config.NOTIFICATIONS_SEND_LOCK_MS, clock });
  const reconcile = () => reconcileReminders({ store, source, scheduler, jobs, redis, redisPrefix, now: clock?.() ?? new Date() });

  const workers: Worker[] = [];
  let consumers: { stop(): Promise<void> } | null = null;
  const close = async () => {
    await consumers?.stop();
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all([sendQueue.close(), upkeepQueue.close()]);
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
    if (run.upkeep) {
      await scheduleUpkeep(upkeepQueue, {
        reconcileEveryMs: config.NOTIFICATIONS_RECONCILE_EVERY_MS,
        pruneEveryMs: config.NOTIFICATIONS_PRUNE_EVERY_MS,
      });
      workers.push(
        createNotificationsUpkeepWorker({
          connection,
          prefix: bullPrefix,
          logger,
          reconcile,
          prune: () => pruneNotifications(store, clock?.() ?? new Date()),
        }),
      );
      // At start-up too: what was lost while this stack was down (events, Redis data) is caught up now.
      if (run.reconcileAtStart) await upkeepQueue.add(NotificationsJob.Reconcile, {}, { jobId: `reconcile-start-${Date.now()}-${process.pid}` });
    }
    if (run.events) {
      consumers = startEventConsumers({ redis, redisPrefix, scheduler, logger, claimIdleMs: config.NOTIFICATIONS_EVENTS_CLAIM_IDLE_MS, blockMs: 500 });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    queues: [sendQueue.name, upkeepQueue.name],
    sendQueue,
    upkeepQueue,
    store,
    source,
    scheduler,
    dispatcher,
    workers,
    reconcile,
    close,
  };
}
