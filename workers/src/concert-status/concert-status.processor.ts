import type { Db } from 'mongodb';
import type { Redis } from 'ioredis';
import { syncConcertStatuses, type StatusSyncResult } from '@stagelives/concerts/status';

/** One run of the status job; the rules and the writes belong to the concerts domain. */
export function processConcertStatus({ db, redis, redisPrefix, now }: { db: Db; redis: Redis; redisPrefix: string; now?: Date }): Promise<StatusSyncResult> {
  return syncConcertStatuses({ db, redis, redisPrefix, now });
}
