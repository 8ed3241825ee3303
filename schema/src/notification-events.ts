import { domainEventStream, type DomainEvent } from './domain-events.js';

/**
 * Domain events of the notifications domain, appended to `<REDIS_PREFIX>events:notifications`
 * (through `domain-events.ts`, like `events.ts` and `user-events.ts`): the notifications subgraph
 * announces a saved change of a user's reminder preferences; the notifications workers reschedule
 * that user's reminders on it.
 */
export const NotificationEventType = {
  /** The user saved notification preferences (after the write). */
  PreferencesChanged: 'notifications.preferences-changed',
} as const;

export type NotificationEventTypeName = (typeof NotificationEventType)[keyof typeof NotificationEventType];

export interface NotificationEventPayloads {
  'notifications.preferences-changed': { userId: string };
}

/** One event of the notifications stream. */
export type NotificationEvent = DomainEvent<NotificationEventPayloads>;

const notifications = domainEventStream<NotificationEventPayloads>({
  domain: 'notifications',
  types: Object.values(NotificationEventType),
  maxLen: 100_000,
  valid: (event) => typeof event.payload?.userId === 'string',
});

/** The stream key of a stack: `${REDIS_PREFIX}events:notifications`. */
export const notificationEventsStream = notifications.key;
/** Builds an event with a fresh id and the current time. */
export const notificationEvent = notifications.event;
/** Appends events to the stream, in order, in one round trip (MULTI); awaited. */
export const publishNotificationEvents = notifications.publish;
/** Parses the field list of one stream entry back into an event (null when it is not one). */
export const decodeNotificationEvent = notifications.decode;
