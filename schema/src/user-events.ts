import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Domain events of the users domain, appended to a Redis Stream (`<REDIS_PREFIX>events:users`)
 * like the concerts domain's (`events.ts`): consumers read them with consumer groups, after a
 * restart too. The notifications domain reschedules reminders on them.
 */
export const UserEventType = {
  /** The user saved notification preferences (after the write). */
  NotificationPreferencesChanged: 'user.notification-preferences-changed',
  /** The account was deleted (after its settings and personal data went). */
  Deleted: 'user.deleted',
} as const;

export type UserEventTypeName = (typeof UserEventType)[keyof typeof UserEventType];

export interface UserEventPayloads {
  'user.notification-preferences-changed': { userId: string };
  'user.deleted': { userId: string };
}

/** One event as stored: a type, its payload, a unique id and when it happened. */
export type UserEvent = {
  [K in UserEventTypeName]: { id: string; type: K; occurredAt: string; payload: UserEventPayloads[K] };
}[UserEventTypeName];

/** The stream key of a stack: `${REDIS_PREFIX}events:users`. */
export const userEventsStream = (redisPrefix: string) => `${redisPrefix}events:users`;

/** Approximate cap of the stream (XADD MAXLEN ~). */
export const USER_EVENTS_MAXLEN = 100_000;

/** Builds an event with a fresh id and the current time. */
export function userEvent<K extends UserEventTypeName>(type: K, payload: UserEventPayloads[K], now = new Date()): UserEvent {
  return { id: randomUUID(), type, occurredAt: now.toISOString(), payload } as UserEvent;
}

/** Appends events to the stream, in order, in one round trip (MULTI). Awaited: the caller learns when Redis did not take them. */
export async function publishUserEvents(redis: Redis, redisPrefix: string, events: readonly UserEvent[]): Promise<void> {
  if (events.length === 0) return;
  const key = userEventsStream(redisPrefix);
  const tx = redis.multi();
  for (const event of events) tx.xadd(key, 'MAXLEN', '~', USER_EVENTS_MAXLEN, '*', 'type', event.type, 'event', JSON.stringify(event));
  const results = await tx.exec();
  const failed = results?.find(([error]) => error);
  if (!results || failed) throw failed?.[0] ?? new Error('redis refused the user events');
}

/** Parses the field list of one stream entry back into an event (null when it is not one). */
export function decodeUserEvent(fields: readonly string[]): UserEvent | null {
  const index = fields.indexOf('event');
  if (index < 0 || index % 2 !== 0) return null;
  try {
    const event = JSON.parse(fields[index + 1] ?? '') as UserEvent;
    return Object.values(UserEventType).includes(event.type) && typeof event.payload?.userId === 'string' ? event : null;
  } catch {
    return null;
  }
}
