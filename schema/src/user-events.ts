import { domainEventStream, type DomainEvent } from './domain-events.js';

/**
 * Domain events of the users domain, appended to a Redis Stream (`<REDIS_PREFIX>events:users`)
 * like the concerts domain's (`events.ts`, both through `domain-events.ts`): consumers read them with consumer groups, after a
 * restart too. The notifications domain forgets a deleted account's settings and reminders on
 * `user.deleted`, the chat domain its memberships.
 */
export const UserEventType = {
  /** The account was deleted (after its sessions and personal data went). */
  Deleted: 'user.deleted',
} as const;

export type UserEventTypeName = (typeof UserEventType)[keyof typeof UserEventType];

export interface UserEventPayloads {
  'user.deleted': { userId: string };
}

/** One event of the users stream. */
export type UserEvent = DomainEvent<UserEventPayloads>;

/** Approximate cap of the stream (XADD MAXLEN ~). */
const USER_EVENTS_MAXLEN = 100_000;

const users = domainEventStream<UserEventPayloads>({
  domain: 'users',
  types: Object.values(UserEventType),
  maxLen: USER_EVENTS_MAXLEN,
  valid: (event) => typeof event.payload?.userId === 'string',
});

/** The stream key of a stack: `${REDIS_PREFIX}events:users`. */
export const userEventsStream = users.key;
/** Builds an event with a fresh id and the current time. */
export const userEvent = users.event;
/** Appends events to the stream, in order, in one round trip (MULTI); awaited. */
export const publishUserEvents = users.publish;
/** Parses the field list of one stream entry back into an event (null when it is not one). */
export const decodeUserEvent = users.decode;
