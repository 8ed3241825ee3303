import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from '@stagelives/platform';
import type { DispatchJob, DispatchResult, ReminderDispatcher } from '@stagelives/notifications/store';
import { Batcher } from './batcher.js';
import { NOTIFICATIONS_SEND_QUEUE, PUSH_BACKOFF, type SendJobData } from './notifications.queue.js';
import { bullTelemetry } from '../connection.js';

/** A job whose pushes failed transiently: BullMQ retries it after `retryAfterMs` at least. */
export class PushRetryError extends Error {
  override readonly name = 'PushRetryError';
  constructor(
    readonly retryAfterMs: number,
    transient: number,
  ) {
    super(`${transient} push(es) failed transiently; retrying`);
  }
}

/** Longest wait between two attempts. */
export const MAX_PUSH_BACKOFF_MS = 15 * 60_000;

/**
 * The retry delay of a send job: exponential from `baseMs` (×2 per attempt, full jitter on the
 * upper half), never shorter than FCM's Retry-After, at most 15 minutes.
 */
export function pushBackoff(attemptsMade: number, baseMs: number, error: Error | undefined, random = Math.random): number {
  const exponential = baseMs * 2 ** Math.max(0, attemptsMade - 1);
  const jittered = exponential / 2 + random() * (exponential / 2);
  const retryAfter = error instanceof PushRetryError ? error.retryAfterMs : 0;
  return Math.round(Math.min(MAX_PUSH_BACKOFF_MS, Math.max(retryAfter, jittered)));
}

export interface SendWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  dispatcher: ReminderDispatcher;
  logger: Logger;
  concurrency: number;
  batchSize: number;
  batchWaitMs: number;
  backoffMs: number;
  /** BullMQ's job lock (renewed while a job runs). */
  lockDurationMs: number;
  /** How often BullMQ looks for the jobs of dead workers. */
  stalledIntervalMs: number;
}

/**
 * The BullMQ worker of the send queue. It takes up to `concurrency` jobs at once and hands them
 * to the dispatcher in batches (`Batcher`): a batch costs a handful of database round trips
 * whatever its size. Results map back to each job: done, retried later (held elsewhere:
 * delayed without using an attempt; transient push failures: failed with PushRetryError, so
 * BullMQ's attempts and the Retry-After-aware backoff apply).
 */
export function createSendWorker(options: SendWorkerOptions): Worker<SendJobData, DispatchResult> {
  const { dispatcher, logger } = options;
  const batcher = new Batcher<DispatchJob, DispatchResult>((jobs) => dispatcher.dispatch(jobs), { maxSize: options.batchSize, maxWaitMs: options.batchWaitMs });
  const processor = async (job: Job<SendJobData, DispatchResult>, token?: string): Promise<DispatchResult> => {
    const result = await batcher.submit({ data: job.data, attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1 });
    if (result.kind === 'locked') {
      await job.moveToDelayed(Date.now() + result.retryInMs + Math.floor(Math.random() * 250), token);
      throw new DelayedError();
    }
    if (result.kind === 'retry') throw new PushRetryError(result.retryAfterMs, result.transient);
    return result;
  };
  const worker = new Worker<SendJobData, DispatchResult>(NOTIFICATIONS_SEND_QUEUE, processor, {
    ...bullTelemetry(),
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    // A job whose worker died is retried (the ledger keeps its pushes at most once per device).
    maxStalledCount: 10,
    settings: {
      backoffStrategy: (attemptsMade, type, error) => (type === PUSH_BACKOFF ? pushBackoff(attemptsMade, options.backoffMs, error) : options.backoffMs),
    },
  });
  worker.on('failed', (job, error) => {
    if (error instanceof PushRetryError) return;
    logger.error({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error.message }, 'reminder send job failed');
  });
  worker.on('error', (error) => logger.warn({ err: error.message }, 'send worker error'));
  return worker;
}
