import { Queue, type ConnectionOptions } from 'bullmq';
import type { StatusSyncResult } from './concert-status.processor.js';

export const CONCERT_STATUS_QUEUE = 'concert-status';

export const ConcertStatusJob = {
  /** Persists UPCOMING → ONGOING → COMPLETED from the dates, in bulk. */
  Sync: 'sync-concert-statuses',
} as const;

export type ConcertStatusJobName = (typeof ConcertStatusJob)[keyof typeof ConcertStatusJob];

/** How often the stored status is brought up to date (the API computes it at read time anyway). */
export const CONCERT_STATUS_EVERY_MS = 60_000;

export type ConcertStatusQueue = Queue<Record<string, never>, StatusSyncResult, ConcertStatusJobName>;

export function createConcertStatusQueue(connection: ConnectionOptions, prefix: string): ConcertStatusQueue {
  return new Queue<Record<string, never>, StatusSyncResult, ConcertStatusJobName>(CONCERT_STATUS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: 100, removeOnFail: 500 },
  });
}

/** Idempotent: a job scheduler with a fixed id, so several workers starting at once keep one schedule. */
export async function scheduleConcertStatus(queue: ConcertStatusQueue, everyMs = CONCERT_STATUS_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(ConcertStatusJob.Sync, { every: everyMs }, { name: ConcertStatusJob.Sync, data: {} });
}
