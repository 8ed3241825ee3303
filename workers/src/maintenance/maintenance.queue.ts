import { Queue, type ConnectionOptions } from 'bullmq';

export const MAINTENANCE_QUEUE = 'maintenance';

export const MaintenanceJob = {
  /** Drops ids of expired sessions from each user's session index. */
  PruneSessionIndex: 'prune-session-index',
} as const;

type MaintenanceJobName = (typeof MaintenanceJob)[keyof typeof MaintenanceJob];

/** How often maintenance runs. */
export const MAINTENANCE_EVERY_MS = 10 * 60_000;

export type MaintenanceQueue = Queue<Record<string, never>, number, MaintenanceJobName>;

export function createMaintenanceQueue(connection: ConnectionOptions, prefix: string): MaintenanceQueue {
  return new Queue<Record<string, never>, number, MaintenanceJobName>(MAINTENANCE_QUEUE, { connection, prefix });
}

/** Idempotent: a job scheduler with a fixed id, so several workers starting at once keep one schedule. */
export async function scheduleMaintenance(queue: MaintenanceQueue, everyMs = MAINTENANCE_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(MaintenanceJob.PruneSessionIndex, { every: everyMs }, { name: MaintenanceJob.PruneSessionIndex, data: {} });
}
