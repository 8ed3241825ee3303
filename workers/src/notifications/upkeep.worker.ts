import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from '@stagelives/platform';
import type { PruneResult, ReconcileResult } from '@stagelives/notifications/store';
import { NOTIFICATIONS_UPKEEP_QUEUE, NotificationsJob } from './notifications.queue.js';
import { bullTelemetry } from '../connection.js';

/** The `notifications-upkeep` queue's worker: reconciliation and pruning, one job at a time. */
export function createNotificationsUpkeepWorker({
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
        throw new Error(`unknown notifications upkeep job ${job.name}`);
    }
  };
  const worker = new Worker(NOTIFICATIONS_UPKEEP_QUEUE, processor, { connection, prefix, concurrency: 1, ...bullTelemetry() });
  worker.on('failed', (job, err) => logger.error({ job: job?.name, err: err.message }, 'notifications upkeep job failed'));
  return worker;
}
