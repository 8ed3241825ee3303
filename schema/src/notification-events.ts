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

/**
 * The live side of in-app notifications, on Redis pub/sub (not the stream above): the
 * notifications workers publish `notification-added` on the user's channel once the in-app
 * notification is recorded; router instances subscribe to the channels of the viewers they
 * serve `notificationAdded` to. Events carry ids only: the router reads the notification through
 * the gateway, as its owner.
 */
export const NotificationLiveEventType = {
  /** An in-app notification of `userId` was recorded. */
  NotificationAdded: 'notification-added',
} as const;

export interface NotificationLiveEvent {
  type: typeof NotificationLiveEventType.NotificationAdded;
  userId: string;
  notificationId: string;
}

/** The pub/sub channel of one user's notifications: `${REDIS_PREFIX}notifications:user:<userId>`. */
export const notificationUserChannel = (redisPrefix: string, userId: string) => `${redisPrefix}notifications:user:${userId.toLowerCase()}`;

/** Parses a pub/sub message (JSON text, or already parsed) into a notification event; null when it is not one. */
export function decodeNotificationLiveEvent(raw: unknown): NotificationLiveEvent | null {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (!value || typeof value !== 'object') return null;
  const e = value as Record<string, unknown>;
  if (e.type !== NotificationLiveEventType.NotificationAdded || typeof e.userId !== 'string' || typeof e.notificationId !== 'string') return null;
  return { type: NotificationLiveEventType.NotificationAdded, userId: e.userId, notificationId: e.notificationId };
}
