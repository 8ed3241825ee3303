import type { Job } from 'bullmq';
import type { Logger, SessionStore } from '@stagelives/platform';
import { SessionIndexJob } from './session-index.queue.js';

/**
 * The job handler of the `session-index` queue. `prune-session-index` drops the ids of expired
 * sessions from every user's session index (the session store owns that key layout); it returns
 * how many it removed. An unknown job name fails the job.
 */
export function sessionIndexProcessor({ sessions, logger }: { sessions: SessionStore; logger: Logger }) {
  return async (job: Pick<Job, 'name'>): Promise<number> => {
    switch (job.name) {
      case SessionIndexJob.Prune: {
        const removed = await sessions.pruneUserIndexes();
        logger.info({ removed }, 'pruned expired sessions from user indexes');
        return removed;
      }
      default:
        throw new Error(`unknown session-index job ${job.name}`);
    }
  };
}
