import { Queue, type ConnectionOptions } from 'bullmq';

export const MAINTENANCE_QUEUE = 'maintenance';

export const MaintenanceJob = {
  /** Drops ids of expired sessions from each user's session index. */
  PruneSessionIndex: 'prune-session-index',
} as const;

export type MaintenanceJobName = (typeof MaintenanceJob)[keyof typeof MaintenanceJob];

export function createMaintenanceQueue(connection: ConnectionOptions, prefix: string) {
  return new Queue<Record<string, never>, number, MaintenanceJobName>(MAINTENANCE_QUEUE, { connection, prefix });
}

/** Idempotent: a job scheduler with a fixed id, so several workers starting at once keep one schedule. */
export async function scheduleMaintenance(queue: ReturnType<typeof createMaintenanceQueue>, everyMs = 10 * 60_000) {
  await queue.upsertJobScheduler(MaintenanceJob.PruneSessionIndex, { every: everyMs }, { name: MaintenanceJob.PruneSessionIndex, data: {} });
}
