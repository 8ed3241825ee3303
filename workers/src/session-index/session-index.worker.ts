import { Worker, type ConnectionOptions } from 'bullmq';
import type { Logger, SessionStore } from '@stagelives/platform';
import { SESSION_INDEX_QUEUE } from './session-index.queue.js';
import { sessionIndexProcessor } from './session-index.processor.js';
import { bullTelemetry } from '../connection.js';

export function createSessionIndexWorker({
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
  const worker = new Worker<Record<string, never>, number>(SESSION_INDEX_QUEUE, sessionIndexProcessor({ sessions, logger }), {
    ...bullTelemetry(),
    connection,
    prefix,
    concurrency: 1,
  });
  worker.on('failed', (job, err) => logger.error({ job: job?.name, err: err.message }, 'session-index job failed'));
  return worker;
}
