import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Domain events of the concerts domain, appended to a Redis Stream so consumers (the
 * notifications domain, setlist clean-up) read them later with consumer groups, after a
 * restart too. Dates travel as ISO-8601 strings.
 */
export const ConcertEventType = {
  Liked: 'concert.liked',
  Unliked: 'concert.unliked',
  /** startsAt, endsAt or ticketOpenAt changed. */
  Rescheduled: 'concert.rescheduled',
  /** Cancelled by an admin, or moved on by the status schedule. */
  StatusChanged: 'concert.status-changed',
  Deleted: 'concert.deleted',
} as const;

export type ConcertEventTypeName = (typeof ConcertEventType)[keyof typeof ConcertEventType];

/**
 * The statuses of a concert, in the order of its life: the one list of them. The concerts
 * domain's rules and its GraphQL enum `ConcertStatus` are derived from it, and events carry it.
 */
export const CONCERT_STATUSES = ['UPCOMING', 'ONGOING', 'COMPLETED', 'CANCELLED'] as const;

export type ConcertStatusName = (typeof CONCERT_STATUSES)[number];

export interface ConcertDates {
  startsAt: string;
  endsAt: string | null;
  ticketOpenAt: string | null;
}

export interface ConcertEventPayloads {
  'concert.liked': { concertId: string; userId: string };
  'concert.unliked': { concertId: string; userId: string };
  'concert.rescheduled': { concertId: string; previous: ConcertDates; current: ConcertDates };
  'concert.status-changed': { concertId: string; from: ConcertStatusName; to: ConcertStatusName; cause: 'admin' | 'schedule' };
  'concert.deleted': { concertId: string };
}

/** One event as stored: a type, its payload, a unique id and when it happened. */
export type ConcertEvent = {
  [K in ConcertEventTypeName]: { id: string; type: K; occurredAt: string; payload: ConcertEventPayloads[K] };
}[ConcertEventTypeName];

/** The stream key of a stack: `${REDIS_PREFIX}events:concerts`. */
export const concertEventsStream = (redisPrefix: string) => `${redisPrefix}events:concerts`;

/** Approximate cap of the stream (XADD MAXLEN ~): old entries go once consumers had ample time. */
export const CONCERT_EVENTS_MAXLEN = 100_000;

/** Builds an event with a fresh id and the current time. */
export function concertEvent<K extends ConcertEventTypeName>(type: K, payload: ConcertEventPayloads[K], now = new Date()): ConcertEvent {
  return { id: randomUUID(), type, occurredAt: now.toISOString(), payload } as ConcertEvent;
}

/**
 * Appends events to the stream, in order, in one round trip (MULTI). Awaited: the caller
 * learns when Redis did not take them.
 */
export async function publishConcertEvents(redis: Redis, redisPrefix: string, events: readonly ConcertEvent[]): Promise<void> {
  if (events.length === 0) return;
  const key = concertEventsStream(redisPrefix);
  const tx = redis.multi();
  for (const event of events) {
    tx.xadd(key, 'MAXLEN', '~', CONCERT_EVENTS_MAXLEN, '*', 'type', event.type, 'event', JSON.stringify(event));
  }
  const results = await tx.exec();
  const failed = results?.find(([error]) => error);
  if (!results || failed) throw failed?.[0] ?? new Error('redis refused the concert events');
}

/** Parses the field list of one stream entry back into an event (null when it is not one). */
export function decodeConcertEvent(fields: readonly string[]): ConcertEvent | null {
  const index = fields.indexOf('event');
  if (index < 0 || index % 2 !== 0) return null;
  try {
    const event = JSON.parse(fields[index + 1] ?? '') as ConcertEvent;
    return Object.values(ConcertEventType).includes(event.type) ? event : null;
  } catch {
    return null;
  }
}
