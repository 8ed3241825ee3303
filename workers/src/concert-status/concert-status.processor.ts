import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Db } from 'mongodb';
import type { Logger, Redis } from '@stagelives/platform';
import { ConcertEventType, concertEvent, type ConcertEvent } from '@stagelives/schema';
import { ConcertStatusRepository, appendOrKeep, dueTransitions, flushOutbox, type RecountResult } from '@stagelives/concerts/status';
import { ConcertStatusJob } from './concert-status.queue.js';
import type { StatusSyncResult } from './concert-status.result.js';

export interface StatusSyncDeps {
  /** The concerts domain's database. */
  db: Db;
  redis: Redis;
  redisPrefix: string;
}

/**
 * The job handler of the `concert-status` queue: one status sync, or one like-count repair, per
 * job, logged when it changed something. An unknown job name fails the job.
 */
export function concertStatusProcessor({ logger, ...deps }: StatusSyncDeps & { logger: Logger }) {
  return async (job: Pick<Job, 'name'>): Promise<StatusSyncResult | RecountResult> => {
    if (job.name === ConcertStatusJob.RecountLikes) {
      const recount = await new ConcertStatusRepository(deps.db).recountLikes();
      if (recount.fixed > 0) logger.warn(recount, 'concert like counts repaired from the like documents');
      return recount;
    }
    if (job.name !== ConcertStatusJob.Sync) throw new Error(`unknown concert-status job ${job.name}`);
    const result = await syncConcertStatuses(deps);
    if (result.changed > 0 || result.republished > 0) logger.info(result, 'concert statuses updated');
    return result;
  };
}

/** Longest a run may hold the lock; a crashed holder frees it after this. */
const STATUS_LOCK_TTL_MS = 120_000;

/** The Redis key that serialises runs: `<prefix>lock:concert-status`. */
export const statusLockKey = (redisPrefix: string) => `${redisPrefix}lock:concert-status`;

// Deletes the lock only if this run still holds it.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One run of the status job: persists the status the dates imply (see applyStatusTransitions),
 * then appends the events Redis refused earlier (the concerts domain's outbox).
 *
 * Runs on several workers at once are serialised by a Redis lock, so they neither repeat each
 * other's writes nor flush one outbox batch twice. A run that finds the lock taken skips; the
 * next tick catches up. Announcements stay exact even when runs overlap anyway (see
 * applyStatusTransitions).
 */
export async function syncConcertStatuses({ db, redis, redisPrefix, now = new Date() }: StatusSyncDeps & { now?: Date }): Promise<StatusSyncResult> {
  const lockKey = statusLockKey(redisPrefix);
  const token = randomUUID();
  if ((await redis.set(lockKey, token, 'PX', STATUS_LOCK_TTL_MS, 'NX')) !== 'OK') return { skipped: true, changed: 0, transitions: {}, republished: 0 };
  try {
    const result = await applyStatusTransitions({ db, redis, redisPrefix, now });
    result.republished = await flushOutbox(db, redis, redisPrefix);
    return result;
  } finally {
    await redis.eval(RELEASE, 1, lockKey, token);
  }
}

/**
 * How long the claim of one announcement is kept: far longer than runs can overlap (a run that
 * outlives the lock's TTL), so no two runs announce one transition.
 */
const ANNOUNCEMENT_CLAIM_TTL_MS = 3_600_000;

/**
 * The claim of announcing one transition of one concert. Runs that race on one transition see
 * the same concert state before it (the job never writes `updatedAt`; an admin edit does), so
 * they compute the same key; a later, legitimate repeat of the transition follows an edit and
 * gets a new one.
 */
const announcementKey = (redisPrefix: string, concertId: string, from: string, to: string, updatedAt: Date | undefined) =>
  `${redisPrefix}concert-status:announced:${concertId}:${from}->${to}:${updatedAt?.getTime() ?? 0}`;

/**
 * Persists the status the dates imply, in bulk, without the lock: one `updateMany` per
 * transition, each conditioned on the stored status it leaves, so a later run finds nothing
 * left to change. The run tags what it changed with its own id and reads those ids back.
 *
 * Overlapping runs (no lock, or a lock that expired under a slow run) are still exact: on
 * FerretDB both `updateMany`s can match and both read back one concert, so each transition is
 * claimed in Redis (`SET NX`) before it counts and is announced; the run that loses the claim
 * leaves it to the winner. One `concert.status-changed` event per claimed transition goes to
 * the stream, or to the outbox when Redis refuses (a refused claim counts as won: at least once).
 */
export async function applyStatusTransitions({ db, redis, redisPrefix, now }: StatusSyncDeps & { now: Date }): Promise<StatusSyncResult> {
  const concerts = new ConcertStatusRepository(db);
  const result: StatusSyncResult = { skipped: false, changed: 0, transitions: {}, republished: 0 };
  const events: ConcertEvent[] = [];
  for (const { from, to, where } of dueTransitions(now)) {
    const changed = await concerts.transition(where, to, randomUUID(), now);
    if (changed.length === 0) continue;
    const claimed = await claimAnnouncements(
      redis,
      changed.map((doc) => announcementKey(redisPrefix, String(doc._id), from, to, doc.updatedAt)),
    );
    const mine = changed.filter((_, i) => claimed[i]);
    if (mine.length === 0) continue;
    result.changed += mine.length;
    result.transitions[`${from}->${to}`] = mine.length;
    for (const { _id } of mine) {
      events.push(concertEvent(ConcertEventType.StatusChanged, { concertId: String(_id), from, to, cause: 'schedule' }, now));
    }
  }
  await appendOrKeep(redis, redisPrefix, db, events);
  return result;
}

/** For each key, whether this call claimed it (`SET NX`, one round trip); all true when Redis refuses. */
async function claimAnnouncements(redis: Redis, keys: string[]): Promise<boolean[]> {
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.set(key, '1', 'PX', ANNOUNCEMENT_CLAIM_TTL_MS, 'NX');
  try {
    const replies = await pipeline.exec();
    return keys.map((_, i) => {
      const [error, reply] = replies?.[i] ?? [new Error('no reply'), null];
      return error !== null || reply === 'OK';
    });
  } catch {
    return keys.map(() => true);
  }
}
