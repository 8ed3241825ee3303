import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Redis } from '@stagelives/platform';
import { type TraceCarrier, traceCarrier } from '@stagelives/platform/telemetry';
import { reminderJobId, type DueReminder, type QueueableReminder, type ReminderJobs } from '@stagelives/notifications/store';
import { bullTelemetry } from '../connection.js';

/** One job per reminder: delayed until its fire time. */
export const NOTIFICATIONS_SEND_QUEUE = 'notifications-send';
/** Reconciliation and pruning (repeatable): the notifications domain's upkeep. */
export const NOTIFICATIONS_UPKEEP_QUEUE = 'notifications-upkeep';

export const NotificationsJob = {
  Send: 'send-reminder',
  Reconcile: 'reconcile-reminders',
  Prune: 'prune-notifications',
} as const;

/** The backoff type of send jobs: the worker's strategy honours FCM's Retry-After. */
export const PUSH_BACKOFF = 'push-retry';

/** What a send job carries: the reminder itself, so sending reads no reminder document. */
export type SendJobData = DueReminder;

export type SendQueue = Queue<SendJobData, unknown, typeof NotificationsJob.Send>;
export type UpkeepQueue = Queue<Record<string, never>, unknown, typeof NotificationsJob.Reconcile | typeof NotificationsJob.Prune>;

export interface SendQueueOptions {
  attempts: number;
  backoffMs: number;
}

export function createSendQueue(connection: ConnectionOptions, prefix: string, { attempts, backoffMs }: SendQueueOptions): SendQueue {
  return new Queue<SendJobData, unknown, typeof NotificationsJob.Send>(NOTIFICATIONS_SEND_QUEUE, {
    ...bullTelemetry(),
    connection,
    prefix,
    defaultJobOptions: {
      attempts,
      backoff: { type: PUSH_BACKOFF, delay: backoffMs },
      // Finished jobs go at once: the reminder's outcome document is the record. A job re-added
      // for a finished reminder (a replay after this) finds the outcome and does nothing.
      removeOnComplete: true,
      removeOnFail: true,
    },
  });
}

export function createUpkeepQueue(connection: ConnectionOptions, prefix: string): UpkeepQueue {
  return new Queue(NOTIFICATIONS_UPKEEP_QUEUE, { connection, prefix, defaultJobOptions: { removeOnComplete: 50, removeOnFail: 200 }, ...bullTelemetry() });
}

/** Idempotent: job schedulers with fixed ids, so processes starting together keep one schedule each. */
export async function scheduleUpkeep(
  queue: UpkeepQueue,
  { reconcileEveryMs, pruneEveryMs }: { reconcileEveryMs: number; pruneEveryMs: number },
): Promise<void> {
  await queue.upsertJobScheduler(NotificationsJob.Reconcile, { every: reconcileEveryMs }, { name: NotificationsJob.Reconcile, data: {} });
  await queue.upsertJobScheduler(NotificationsJob.Prune, { every: pruneEveryMs }, { name: NotificationsJob.Prune, data: {} });
}

/** The job of a reminder: its deterministic id, and a delay until its fire time (none when past). */
export function sendJob(reminder: QueueableReminder, now: number): { name: typeof NotificationsJob.Send; data: SendJobData; opts: JobsOptions } {
  return {
    name: NotificationsJob.Send,
    data: {
      reminderId: reminder._id.toHexString(),
      userId: reminder.userId,
      concertId: reminder.concertId,
      kind: reminder.kind,
      fireAt: reminder.fireAt.getTime(),
      eventAt: reminder.eventAt?.getTime() ?? null,
      title: reminder.title,
      queuedAt: now,
      // The trace scheduling it (an event's consumer, continuing the like's request); none when not traced.
      ...traceField(),
    },
    // The send, days later, is a trace of its own that links to the one in `data.trace`, not a
    // child of the like's request: BullMQ's span context is left out of the job.
    opts: { jobId: reminderJobId(reminder), delay: Math.max(0, reminder.fireAt.getTime() - now), telemetry: { omitContext: true } },
  };
}

const traceField = (): { trace?: TraceCarrier } => {
  const trace = traceCarrier();
  return trace ? { trace } : {};
};

/** Jobs per addBulk call. */
const ADD_BULK_CHUNK = 1000;
/** Job removals in flight at once. */
const REMOVE_PARALLEL = 32;
/** Job keys per pipelined EXISTS round trip. */
const EXISTS_CHUNK = 1000;

/**
 * The notifications domain's `ReminderJobs` over the send queue: one delayed job per reminder
 * (`addBulk` per 1,000), removed by id, and found missing by `EXISTS` on its key (pipelined, on
 * the stack's `redis`).
 */
export function sendQueueJobs(queue: SendQueue, redis: Redis): ReminderJobs {
  return {
    async enqueue(reminders, now) {
      for (let i = 0; i < reminders.length; i += ADD_BULK_CHUNK) {
        await queue.addBulk(reminders.slice(i, i + ADD_BULK_CHUNK).map((r) => sendJob(r, now.getTime())));
      }
    },
    async remove(reminders) {
      const ids = reminders.map((r) => reminderJobId(r));
      for (let i = 0; i < ids.length; i += REMOVE_PARALLEL) {
        await Promise.all(ids.slice(i, i + REMOVE_PARALLEL).map((id) => queue.remove(id).catch(() => 0)));
      }
    },
    async missing<R extends Pick<QueueableReminder, '_id' | 'kind' | 'fireAt'>>(reminders: readonly R[]): Promise<R[]> {
      const missing: R[] = [];
      for (let i = 0; i < reminders.length; i += EXISTS_CHUNK) {
        const chunk = reminders.slice(i, i + EXISTS_CHUNK);
        const pipeline = redis.pipeline();
        for (const r of chunk) pipeline.exists(queue.toKey(reminderJobId(r)));
        const replies = (await pipeline.exec()) ?? [];
        chunk.forEach((r, k) => {
          const [error, exists] = replies[k] ?? [null, 0];
          if (!error && exists === 0) missing.push(r);
        });
      }
      return missing;
    },
  };
}
