import type { Queue, Worker } from 'bullmq';
import { SessionStore, type BaseConfig, type Logger, type Mongo, type Redis } from '@stagelives/platform';
import type { PushTransport } from '@stagelives/notifications/store';
import { bullConnection, bullPrefix } from './connection.js';
import { createConcertStatusQueue, scheduleConcertStatus } from './concert-status/concert-status.queue.js';
import { createConcertStatusWorker } from './concert-status/concert-status.worker.js';
import { WorkerMetrics } from './metrics.js';
import { createNotificationWorkers, type NotificationWorkers } from './notifications/notifications.js';
import type { NotificationsConfig } from './notifications/notifications.config.js';
import type { NotificationWorkersDeps } from './notifications/notifications.js';
import { createSessionIndexQueue, scheduleSessionIndexPrune } from './session-index/session-index.queue.js';
import { createSessionIndexWorker } from './session-index/session-index.worker.js';

export interface WorkersDeps {
  config: Pick<BaseConfig, 'REDIS_URL' | 'REDIS_PREFIX' | 'SESSION_IDLE_TTL_SECONDS' | 'SESSION_ABSOLUTE_TTL_SECONDS'>;
  logger: Logger;
  /** The stack's Redis (sessions, locks, the concert event stream); BullMQ gets its own connection. */
  redis: Redis;
  mongo: Mongo;
  /** Schedule periods in ms; the defaults are production's (status 60 s, session-index pruning 10 min). */
  every?: { concertStatus?: number; sessionIndex?: number };
  /**
   * The notifications workers (reminder sending, event consumers, upkeep: reconciliation, pruning): on
   * when given. `push` is the transport (workers/src/push: `createPushSender(loadPushConfig())`).
   */
  notifications?: { config: NotificationsConfig; push: PushTransport } & Pick<NotificationWorkersDeps, 'run' | 'clock' | 'ttlIndexes'>;
}

export interface Workers {
  /** The queue names, for logs. */
  readonly queues: string[];
  /** The notifications workers, when they run here. */
  readonly notifications: NotificationWorkers | null;
  /** Queue depth, job durations and failures, pushes (served at /metrics by workers/src/server.ts). */
  readonly metrics: WorkerMetrics;
  /** Stops the workers (a running job finishes first), then the queues and BullMQ's connection. */
  close(): Promise<void>;
}

/**
 * Builds every queue, upserts its schedule (a job scheduler with a fixed id: processes starting
 * together keep one schedule) and starts its worker. Nothing runs before this is called; the
 * caller owns `redis` and `mongo` and closes them after `close()`.
 */
export async function createWorkers({ config, logger, redis, mongo, every = {}, notifications: notificationsDeps }: WorkersDeps): Promise<Workers> {
  const connection = bullConnection(config.REDIS_URL);
  const prefix = bullPrefix(config.REDIS_PREFIX);
  const queues: Queue[] = [];
  const workers: Worker[] = [];
  let notifications: NotificationWorkers | null = null;
  const metrics = new WorkerMetrics();
  const close = async () => {
    await notifications?.close();
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all(queues.map((q) => q.close()));
    await connection.quit().catch(() => connection.disconnect());
  };
  try {
    const sessionIndexQueue = createSessionIndexQueue(connection, prefix);
    queues.push(sessionIndexQueue);
    await scheduleSessionIndexPrune(sessionIndexQueue, every.sessionIndex);
    workers.push(createSessionIndexWorker({ connection, prefix, sessions: SessionStore.fromConfig(redis, config), logger }));

    const statusQueue = createConcertStatusQueue(connection, prefix);
    queues.push(statusQueue);
    await scheduleConcertStatus(statusQueue, every.concertStatus);
    workers.push(createConcertStatusWorker({ connection, prefix, db: mongo.db('concerts'), redis, redisPrefix: config.REDIS_PREFIX, logger }));

    if (notificationsDeps) {
      notifications = await createNotificationWorkers({
        ...notificationsDeps,
        push: metrics.countPushes(notificationsDeps.push),
        connection,
        bullPrefix: prefix,
        redis,
        redisPrefix: config.REDIS_PREFIX,
        mongo,
        logger: logger.child({ part: 'notifications' }),
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  for (const queue of [...queues, ...(notifications ? [notifications.sendQueue, notifications.upkeepQueue] : [])]) metrics.watchQueue(queue as Queue);
  for (const worker of [...workers, ...(notifications?.workers ?? [])]) metrics.watchWorker(worker as Worker);
  return { queues: [...queues.map((q) => q.name), ...(notifications?.queues ?? [])], notifications, metrics, close };
}
