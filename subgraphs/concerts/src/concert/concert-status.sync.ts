import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import type { Redis } from '@stagelives/platform';
import { ConcertEventType, concertEvent, publishConcertEvents, type ConcertEvent } from '@stagelives/schema';
import { appendOrKeep, eventOutbox } from '../events/concert-events.js';
import { dueTransitions, type ConcertStatusValue, type StatusFields } from './concert-status.js';

interface StatusRunFields extends StatusFields {
  statusRun?: string;
  statusChangedAt?: Date;
}

export interface StatusSyncResult {
  /** Another run held the lock: this one did nothing. */
  skipped: boolean;
  /** Concerts whose stored status this run changed. */
  changed: number;
  /** Per transition, e.g. `UPCOMING->ONGOING`: how many. */
  transitions: Record<string, number>;
  /** Events moved from the outbox (Redis had refused them) to the stream. */
  republished: number;
}

/** Longest a run may hold the lock; a crashed holder frees it after this. */
const LOCK_TTL_MS = 120_000;

// Deletes the lock only if this run still holds it.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Persists the status the dates imply, in bulk: one `updateMany` per transition, each
 * conditioned on the stored status it leaves, so a second run finds nothing left to change.
 * Every run tags what it changed with its own id, reads those ids back and emits one
 * `concert.status-changed` event per concert.
 *
 * Runs on several workers at once are serialised by a Redis lock: FerretDB evaluates an
 * `updateMany` filter and writes without isolation, so two overlapping runs could both apply
 * (and announce) one transition. A run that finds the lock taken skips; the next tick catches up.
 */
export async function syncConcertStatuses({ db, redis, redisPrefix, now = new Date() }: { db: Db; redis: Redis; redisPrefix: string; now?: Date }): Promise<StatusSyncResult> {
  const lockKey = `${redisPrefix}lock:concert-status`;
  const token = randomUUID();
  if ((await redis.set(lockKey, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') return { skipped: true, changed: 0, transitions: {}, republished: 0 };
  try {
    const result = await applyTransitions(db, redis, redisPrefix, now);
    result.republished = await flushOutbox(db, redis, redisPrefix);
    return result;
  } finally {
    await redis.eval(RELEASE, 1, lockKey, token);
  }
}

async function applyTransitions(db: Db, redis: Redis, redisPrefix: string, now: Date): Promise<StatusSyncResult> {
  const concerts = db.collection<StatusRunFields>('concerts');
  const result: StatusSyncResult = { skipped: false, changed: 0, transitions: {}, republished: 0 };
  const events: ConcertEvent[] = [];
  for (const { from, to, where } of dueTransitions(now)) {
    const run = randomUUID();
    const { modifiedCount } = await concerts.updateMany(where, { $set: { status: to, statusRun: run, statusChangedAt: now } });
    if (modifiedCount === 0) continue;
    const ids = await concerts.find({ statusRun: { $eq: run } }, { projection: { _id: 1 } }).toArray();
    result.changed += ids.length;
    result.transitions[`${from}->${to}`] = ids.length;
    for (const { _id } of ids) {
      events.push(
        concertEvent(ConcertEventType.StatusChanged, { concertId: String(_id), from: from as ConcertStatusValue, to, cause: 'schedule' }, now),
      );
    }
  }
  await appendOrKeep(redis, redisPrefix, db, events);
  return result;
}

/**
 * Appends the events Redis refused earlier, oldest first, then deletes them from the outbox.
 * Under the run lock; a crash between the two re-sends a batch (consumers dedupe by event id).
 */
async function flushOutbox(db: Db, redis: Redis, redisPrefix: string, batch = 500): Promise<number> {
  const outbox = eventOutbox(db);
  let moved = 0;
  for (;;) {
    const docs = await outbox.find().sort({ _id: 1 }).limit(batch).toArray();
    if (docs.length === 0) return moved;
    await publishConcertEvents(redis, redisPrefix, docs.map((d) => d.event));
    await outbox.deleteMany({ _id: { $in: docs.map((d) => d._id!) } });
    moved += docs.length;
    if (docs.length < batch) return moved;
  }
}
