import { Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '@stagelives/platform';
import { CONCERT_STATUS_QUEUE } from './concert-status.queue.js';
import type { RecountResult } from '@stagelives/concerts/status';
import { concertStatusProcessor, type StatusSyncDeps } from './concert-status.processor.js';
import type { StatusSyncResult } from './concert-status.result.js';
import { bullTelemetry } from '../connection.js';

/**
 * Runs the status job. Safe on several workers at once: the scheduler enqueues one job per
 * tick, runs are serialised by a Redis lock, and even overlapping runs announce each transition
 * once (see applyStatusTransitions).
 */
export function createConcertStatusWorker({
  connection,
  prefix,
  logger,
  ...deps
}: StatusSyncDeps & { connection: ConnectionOptions; prefix: string; logger: Logger }) {
  const worker = new Worker<Record<string, never>, StatusSyncResult | RecountResult>(CONCERT_STATUS_QUEUE, concertStatusProcessor({ ...deps, logger }), {
    ...bullTelemetry(),
    connection,
    prefix,
    concurrency: 1,
  });
  worker.on('failed', (job, err) => logger.error({ job: job?.name, err: err.message }, 'concert-status job failed'));
  return worker;
}
