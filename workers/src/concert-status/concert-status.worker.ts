import { Worker, type ConnectionOptions } from 'bullmq';
import type { Db } from 'mongodb';
import type { Redis } from 'ioredis';
import type { Logger } from '@stagelives/platform';
import type { StatusSyncResult } from '@stagelives/concerts/status';
import { CONCERT_STATUS_QUEUE, ConcertStatusJob } from './concert-status.queue.js';
import { processConcertStatus } from './concert-status.processor.js';

/**
 * Runs the status job. Safe on several workers at once: the scheduler enqueues one job per
 * tick, and even two overlapping runs apply each transition once (see syncConcertStatuses).
 */
export function createConcertStatusWorker({ connection, prefix, db, redis, redisPrefix, logger }: { connection: ConnectionOptions; prefix: string; db: Db; redis: Redis; redisPrefix: string; logger: Logger }) {
  const worker = new Worker<Record<string, never>, StatusSyncResult>(
    CONCERT_STATUS_QUEUE,
    async (job) => {
      if (job.name !== ConcertStatusJob.Sync) throw new Error(`unknown concert-status job ${job.name}`);
      const result = await processConcertStatus({ db, redis, redisPrefix });
      if (result.changed > 0) logger.info(result, 'concert statuses updated');
      return result;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => logger.error({ job: job?.name, err: err.message }, 'concert-status job failed'));
  return worker;
}
