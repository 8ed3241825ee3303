import { domainEventStream, type DomainEvent } from './domain-events.js';

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

/** One event of the concerts stream. */
export type ConcertEvent = DomainEvent<ConcertEventPayloads>;

/** Approximate cap of the stream (XADD MAXLEN ~): old entries go once consumers had ample time. */
const CONCERT_EVENTS_MAXLEN = 100_000;

const concerts = domainEventStream<ConcertEventPayloads>({ domain: 'concerts', types: Object.values(ConcertEventType), maxLen: CONCERT_EVENTS_MAXLEN });

/** The stream key of a stack: `${REDIS_PREFIX}events:concerts`. */
export const concertEventsStream = concerts.key;
/** Builds an event with a fresh id and the current time. */
export const concertEvent = concerts.event;
/** Appends events to the stream, in order, in one round trip (MULTI); awaited. */
export const publishConcertEvents = concerts.publish;
/** Parses the field list of one stream entry back into an event (null when it is not one). */
export const decodeConcertEvent = concerts.decode;
