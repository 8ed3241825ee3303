import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { reminderJobId, type NotificationKind, type ReminderFacts } from '@stagelives/notifications/store';
import type { ObjectId } from 'mongodb';

/** One job per reminder: delayed until its fire time. */
export const NOTIFICATIONS_SEND_QUEUE = 'notifications-send';
/** Reconciliation and pruning (repeatable). */
export const NOTIFICATIONS_MAINTENANCE_QUEUE = 'notifications-maintenance';

export const NotificationsJob = {
  Send: 'send-reminder',
  Reconcile: 'reconcile-reminders',
  Prune: 'prune-notifications',
} as const;

/** The backoff type of send jobs: the worker's strategy honours FCM's Retry-After. */
export const PUSH_BACKOFF = 'push-retry';

/** What a send job carries: the reminder itself, so sending reads no reminder document. */
export interface SendJobData {
  reminderId: string;
  userId: string;
  concertId: string;
  kind: NotificationKind;
  /** ms since the epoch */
  fireAt: number;
  eventAt: number | null;
  /** The concert's title at scheduling (the text of a deleted concert's notice). */
  title: string;
  /** When it was queued: fire-time checks never use cached facts older than this. */
  queuedAt: number;
}

export type SendQueue = Queue<SendJobData, unknown, typeof NotificationsJob.Send>;
export type MaintenanceQueue = Queue<Record<string, never>, unknown, typeof NotificationsJob.Reconcile | typeof NotificationsJob.Prune>;

export interface SendQueueOptions {
  attempts: number;
  backoffMs: number;
}

export function createSendQueue(connection: ConnectionOptions, prefix: string, { attempts, backoffMs }: SendQueueOptions): SendQueue {
  return new Queue<SendJobData, unknown, typeof NotificationsJob.Send>(NOTIFICATIONS_SEND_QUEUE, {
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

export function createMaintenanceQueue(connection: ConnectionOptions, prefix: string): MaintenanceQueue {
  return new Queue(NOTIFICATIONS_MAINTENANCE_QUEUE, { connection, prefix, defaultJobOptions: { removeOnComplete: 50, removeOnFail: 200 } });
}

/** Idempotent: job schedulers with fixed ids, so processes starting together keep one schedule each. */
export async function scheduleMaintenance(
  queue: MaintenanceQueue,
  { reconcileEveryMs, pruneEveryMs }: { reconcileEveryMs: number; pruneEveryMs: number },
): Promise<void> {
  await queue.upsertJobScheduler(NotificationsJob.Reconcile, { every: reconcileEveryMs }, { name: NotificationsJob.Reconcile, data: {} });
  await queue.upsertJobScheduler(NotificationsJob.Prune, { every: pruneEveryMs }, { name: NotificationsJob.Prune, data: {} });
}

/** A reminder as the send queue takes it. */
export type QueueableReminder = ReminderFacts & { _id: ObjectId; title: string };

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
    },
    opts: { jobId: reminderJobId(reminder), delay: Math.max(0, reminder.fireAt.getTime() - now) },
  };
}
