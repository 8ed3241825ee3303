import { Queue, type ConnectionOptions } from 'bullmq';
import type { RecountResult } from '@stagelives/concerts/status';
import type { StatusSyncResult } from './concert-status.result.js';
import { bullTelemetry } from '../connection.js';

export const CONCERT_STATUS_QUEUE = 'concert-status';

export const ConcertStatusJob = {
  /** Persists UPCOMING → ONGOING → COMPLETED from the dates, in bulk. */
  Sync: 'sync-concert-statuses',
  /** Sets each concert's stored like count back to its like documents where they differ. */
  RecountLikes: 'recount-concert-likes',
} as const;

type ConcertStatusJobName = (typeof ConcertStatusJob)[keyof typeof ConcertStatusJob];

/** How often the stored status is brought up to date (the API computes it at read time anyway). */
const CONCERT_STATUS_EVERY_MS = 60_000;

/** How often stored like counts are compared with the like documents. */
export const RECOUNT_LIKES_EVERY_MS = 10 * 60_000;

export type ConcertStatusQueue = Queue<Record<string, never>, StatusSyncResult | RecountResult, ConcertStatusJobName>;

export function createConcertStatusQueue(connection: ConnectionOptions, prefix: string): ConcertStatusQueue {
  return new Queue<Record<string, never>, StatusSyncResult | RecountResult, ConcertStatusJobName>(CONCERT_STATUS_QUEUE, {
    ...bullTelemetry(),
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: 100, removeOnFail: 500 },
  });
}

/** Idempotent: job schedulers with fixed ids, so several workers starting at once keep one schedule each. */
export async function scheduleConcertStatus(
  queue: ConcertStatusQueue,
  everyMs = CONCERT_STATUS_EVERY_MS,
  recountEveryMs = RECOUNT_LIKES_EVERY_MS,
): Promise<void> {
  await queue.upsertJobScheduler(ConcertStatusJob.Sync, { every: everyMs }, { name: ConcertStatusJob.Sync, data: {} });
  await queue.upsertJobScheduler(ConcertStatusJob.RecountLikes, { every: recountEveryMs }, { name: ConcertStatusJob.RecountLikes, data: {} });
}
