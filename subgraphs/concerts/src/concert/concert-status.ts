import type { Filter } from 'mongodb';
import { CONCERT_STATUSES, type ConcertStatusName } from '@stagelives/schema';

/*
 * The status rules of a concert, shared by the API (computed at read time, so never stale)
 * and the status worker (which persists them in bulk). Pure: no I/O. The statuses themselves
 * are schema's `ConcertStatusName` (events carry them).
 */

/** How long a concert without `endsAt` is considered to last. */
export const DEFAULT_CONCERT_DURATION_MS = 4 * 3600_000;

/** The fields the rules read; `effectiveEndsAt` is `endsAt` or `startsAt` + the default duration. */
export interface StatusFields {
  status: ConcertStatusName;
  startsAt: Date;
  effectiveEndsAt: Date;
}

export function effectiveEndOf(startsAt: Date, endsAt: Date | null, defaultDurationMs = DEFAULT_CONCERT_DURATION_MS): Date {
  return endsAt ?? new Date(startsAt.getTime() + defaultDurationMs);
}

/** The status at `now`: UPCOMING before `startsAt`, ONGOING until the end, then COMPLETED; CANCELLED stays. */
export function effectiveStatus(doc: StatusFields, now: Date): ConcertStatusName {
  if (doc.status === 'CANCELLED') return 'CANCELLED';
  if (now < doc.startsAt) return 'UPCOMING';
  if (now < doc.effectiveEndsAt) return 'ONGOING';
  return 'COMPLETED';
}

/** The statuses the dates decide (all but CANCELLED). */
const LIVE = CONCERT_STATUSES.filter((s) => s !== 'CANCELLED');

/** The stored-field condition equivalent to `effectiveStatus(doc, now) === status`. */
export function statusCondition<T extends StatusFields>(status: ConcertStatusName, now: Date): Filter<T> {
  switch (status) {
    case 'CANCELLED':
      return { status: { $eq: 'CANCELLED' } } as Filter<T>;
    case 'UPCOMING':
      return { status: { $in: LIVE }, startsAt: { $gt: now } } as Filter<T>;
    case 'ONGOING':
      return { status: { $in: LIVE }, startsAt: { $lte: now }, effectiveEndsAt: { $gt: now } } as Filter<T>;
    case 'COMPLETED':
      return { status: { $in: LIVE }, effectiveEndsAt: { $lte: now } } as Filter<T>;
  }
}

/**
 * The transitions the worker applies at `now`: documents matching `where` (stored status
 * `from`, dates saying otherwise) get status `to`. Each is idempotent, and concurrent runs
 * cannot both apply one: the stored `from` is part of the condition.
 */
export function dueTransitions(now: Date): Array<{ from: ConcertStatusName; to: ConcertStatusName; where: Filter<StatusFields> }> {
  const transitions: Array<{ from: ConcertStatusName; to: ConcertStatusName; where: Filter<StatusFields> }> = [];
  for (const from of LIVE) {
    for (const to of LIVE) {
      if (from === to) continue;
      const { status: _live, ...dates } = statusCondition<StatusFields>(to, now) as Record<string, unknown>;
      transitions.push({ from, to, where: { status: { $eq: from }, ...dates } as Filter<StatusFields> });
    }
  }
  return transitions;
}
