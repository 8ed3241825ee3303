import { Queue, type ConnectionOptions } from 'bullmq';
import { bullTelemetry } from '../connection.js';

export const SESSION_INDEX_QUEUE = 'session-index';

export const SessionIndexJob = {
  /** Drops ids of expired sessions from each user's session index. */
  Prune: 'prune-session-index',
} as const;

type SessionIndexJobName = (typeof SessionIndexJob)[keyof typeof SessionIndexJob];

/** How often the session index is pruned. */
export const SESSION_INDEX_PRUNE_EVERY_MS = 10 * 60_000;

type SessionIndexQueue = Queue<Record<string, never>, number, SessionIndexJobName>;

export function createSessionIndexQueue(connection: ConnectionOptions, prefix: string): SessionIndexQueue {
  return new Queue<Record<string, never>, number, SessionIndexJobName>(SESSION_INDEX_QUEUE, { connection, prefix, ...bullTelemetry() });
}

/** Idempotent: a job scheduler with a fixed id, so several workers starting at once keep one schedule. */
export async function scheduleSessionIndexPrune(queue: SessionIndexQueue, everyMs = SESSION_INDEX_PRUNE_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(SessionIndexJob.Prune, { every: everyMs }, { name: SessionIndexJob.Prune, data: {} });
}
