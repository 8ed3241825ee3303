import { Worker, type ConnectionOptions } from 'bullmq';
import type { Logger, SessionStore } from '@stagelives/platform';
import { MAINTENANCE_QUEUE } from './maintenance.queue.js';
import { maintenanceProcessor } from './maintenance.processor.js';

export function createMaintenanceWorker({
  connection,
  prefix,
  sessions,
  logger,
}: {
  connection: ConnectionOptions;
  prefix: string;
  sessions: SessionStore;
  logger: Logger;
}) {
  const worker = new Worker<Record<string, never>, number>(MAINTENANCE_QUEUE, maintenanceProcessor({ sessions, logger }), {
    connection,
    prefix,
    concurrency: 1,
  });
  worker.on('failed', (job, err) => logger.error({ job: job?.name, err: err.message }, 'maintenance job failed'));
  return worker;
}
