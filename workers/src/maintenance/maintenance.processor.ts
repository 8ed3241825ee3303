import type { Job } from 'bullmq';
import type { Logger, SessionStore } from '@stagelives/platform';
import { MaintenanceJob } from './maintenance.queue.js';

/**
 * The job handler of the `maintenance` queue. `prune-session-index` drops the ids of expired
 * sessions from every user's session index (the session store owns that key layout); it returns
 * how many it removed. An unknown job name fails the job.
 */
export function maintenanceProcessor({ sessions, logger }: { sessions: SessionStore; logger: Logger }) {
  return async (job: Pick<Job, 'name'>): Promise<number> => {
    switch (job.name) {
      case MaintenanceJob.PruneSessionIndex: {
        const removed = await sessions.pruneUserIndexes();
        logger.info({ removed }, 'pruned expired sessions from user indexes');
        return removed;
      }
      default:
        throw new Error(`unknown maintenance job ${job.name}`);
    }
  };
}
