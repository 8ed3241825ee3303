import { Worker, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@stagelives/platform';
import { MAINTENANCE_QUEUE, MaintenanceJob } from './maintenance.queue.js';
import { pruneSessionIndex } from './maintenance.processor.js';

export function createMaintenanceWorker({ connection, prefix, redis, redisPrefix, logger }: { connection: ConnectionOptions; prefix: string; redis: Redis; redisPrefix: string; logger: Logger }) {
  const worker = new Worker(
    MAINTENANCE_QUEUE,
    async (job) => {
      if (job.name === MaintenanceJob.PruneSessionIndex) {
        const removed = await pruneSessionIndex(redis, redisPrefix);
        logger.info({ removed }, 'pruned expired sessions from user indexes');
        return removed;
      }
      throw new Error(`unknown maintenance job ${job.name}`);
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => logger.error({ job: job?.name, err: err.message }, 'maintenance job failed'));
  return worker;
}
