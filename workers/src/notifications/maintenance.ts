import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from '@stagelives/platform';
import type { NotificationStore } from '@stagelives/notifications/store';
import { NOTIFICATIONS_MAINTENANCE_QUEUE, NotificationsJob } from './notifications.queue.js';
import type { ReconcileResult } from './reconcile.js';

export interface PruneResult {
  reminders: number;
  notifications: number;
  ledger: number;
  fans: number;
}

/**
 * Deletes what expired: finished reminders and their outcomes (30 days after their event), in-app
 * notifications and their read marks (90 days), ledger entries (7 days), fans of past concerts.
 * FerretDB has no TTL indexes; on MongoDB TTL indexes do the same and this finds little.
 */
export async function pruneNotifications(store: NotificationStore, now = new Date()): Promise<PruneResult> {
  return {
    reminders: await store.reminders.pruneExpired(now),
    notifications: await store.notifications.pruneExpired(now),
    ledger: await store.ledger.pruneExpired(now),
    fans: await store.fans.pruneExpired(now),
  };
}

/** The `notifications-maintenance` queue's worker: reconciliation and pruning, one job at a time. */
export function createNotificationsMaintenanceWorker({
  connection,
  prefix,
  logger,
  reconcile,
  prune,
}: {
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  reconcile: () => Promise<ReconcileResult>;
  prune: () => Promise<PruneResult>;
}) {
  const processor = async (job: Pick<Job, 'name'>) => {
    switch (job.name) {
      case NotificationsJob.Reconcile: {
        const result = await reconcile();
        const { skipped, likes, ...changes } = result;
        if (!skipped && Object.values(changes).some((n) => n > 0)) logger.info(result, 'reminders reconciled');
        return result;
      }
      case NotificationsJob.Prune: {
        const result = await prune();
        if (Object.values(result).some((n) => n > 0)) logger.info(result, 'expired notifications pruned');
        return result;
      }
      default:
        throw new Error(`unknown notifications maintenance job ${job.name}`);
    }
  };
  const worker = new Worker(NOTIFICATIONS_MAINTENANCE_QUEUE, processor, { connection, prefix, concurrency: 1 });
  worker.on('failed', (job, err) => logger.error({ job: job?.name, err: err.message }, 'notifications maintenance job failed'));
  return worker;
}
