import { startStreamConsumer, type Logger, type Redis } from '@stagelives/platform';
import { consumeTraced } from '@stagelives/platform/telemetry';
import {
  ConcertEventType,
  NotificationEventType,
  UserEventType,
  concertEventsStream,
  decodeConcertEvent,
  decodeNotificationEvent,
  decodeUserEvent,
  notificationEventsStream,
  userEventsStream,
  type ConcertEvent,
  type NotificationEvent,
  type TraceCarrier,
  type UserEvent,
} from '@stagelives/schema';
import type { ReminderScheduler } from './reminder-scheduler.service.js';

/**
 * Handles an event inside a span that continues the trace of the request that caused it (a
 * like's trace goes on into the reminders it schedules and the jobs it queues).
 */
const traced = (stream: string, event: { id: string; type: string; trace?: TraceCarrier }, handle: () => Promise<void>) =>
  consumeTraced(
    `process events:${stream}`,
    event.trace,
    { 'messaging.system': 'redis', 'messaging.destination.name': `events:${stream}`, 'messaging.message.id': event.id, 'stagelives.event.type': event.type },
    handle,
  );

/** The consumer group of the notifications workers on the three streams. */
const NOTIFICATIONS_GROUP = 'notifications';

/**
 * What a concert event means for reminders. Events carry ids only; the scheduler reads the
 * current likes and dates, so a replayed, duplicated or late event changes nothing.
 */
async function handleConcertEvent(scheduler: ReminderScheduler, event: ConcertEvent): Promise<void> {
  switch (event.type) {
    case ConcertEventType.Liked:
    case ConcertEventType.Unliked:
      await scheduler.syncPairs([{ concertId: event.payload.concertId, userId: event.payload.userId }]);
      return;
    case ConcertEventType.Rescheduled:
      await scheduler.syncConcert(event.payload.concertId);
      return;
    case ConcertEventType.StatusChanged:
      // UPCOMING → ONGOING → COMPLETED follows the dates (reminders already left by then);
      // only a cancellation changes what is owed.
      if (event.payload.to === 'CANCELLED') await scheduler.cancelConcert(event.payload.concertId);
      return;
    case ConcertEventType.Deleted:
      await scheduler.cancelConcert(event.payload.concertId);
      return;
  }
}

/** What a users event means for reminders. */
async function handleUserEvent(scheduler: ReminderScheduler, event: UserEvent): Promise<void> {
  if (event.type === UserEventType.Deleted) await scheduler.forgetUser(event.payload.userId);
}

/** What an event of this domain (the subgraph's settings) means for reminders. */
async function handleNotificationEvent(scheduler: ReminderScheduler, event: NotificationEvent): Promise<void> {
  if (event.type === NotificationEventType.PreferencesChanged) await scheduler.syncUser(event.payload.userId);
}

export interface EventConsumersOptions {
  redis: Redis;
  redisPrefix: string;
  scheduler: ReminderScheduler;
  logger: Logger;
  /** Entries a dead consumer left unacknowledged this long are taken over. */
  claimIdleMs: number;
  /** How long one read blocks (shorter: faster shutdown in tests). */
  blockMs?: number;
}

/**
 * Reads `<prefix>events:concerts`, `<prefix>events:users` and `<prefix>events:notifications` in the consumer group
 * `notifications` (at least once: an entry is acknowledged after its handler resolved; one whose
 * handler throws is taken over again after `claimIdleMs`).
 */
export function startEventConsumers({ redis, redisPrefix, scheduler, logger, claimIdleMs, blockMs }: EventConsumersOptions): { stop(): Promise<void> } {
  const concerts = startStreamConsumer({
    redis,
    stream: concertEventsStream(redisPrefix),
    group: NOTIFICATIONS_GROUP,
    logger,
    claimIdleMs,
    blockMs,
    handle: async (entryId, fields) => {
      const event = decodeConcertEvent(fields);
      if (!event) return logger.warn({ entryId }, 'unreadable concert event skipped');
      await traced('concerts', event, () => handleConcertEvent(scheduler, event)).catch((error: unknown) => {
        logger.warn({ err: error instanceof Error ? error.message : String(error), event }, 'concert event not handled; retried later');
        throw error;
      });
    },
  });
  const users = startStreamConsumer({
    redis,
    stream: userEventsStream(redisPrefix),
    group: NOTIFICATIONS_GROUP,
    logger,
    claimIdleMs,
    blockMs,
    handle: async (entryId, fields) => {
      const event = decodeUserEvent(fields);
      if (!event) return logger.warn({ entryId }, 'unreadable user event skipped');
      await traced('users', event, () => handleUserEvent(scheduler, event)).catch((error: unknown) => {
        logger.warn({ err: error instanceof Error ? error.message : String(error), event }, 'user event not handled; retried later');
        throw error;
      });
    },
  });
  const settings = startStreamConsumer({
    redis,
    stream: notificationEventsStream(redisPrefix),
    group: NOTIFICATIONS_GROUP,
    logger,
    claimIdleMs,
    blockMs,
    handle: async (entryId, fields) => {
      const event = decodeNotificationEvent(fields);
      if (!event) return logger.warn({ entryId }, 'unreadable notifications event skipped');
      await traced('notifications', event, () => handleNotificationEvent(scheduler, event)).catch((error: unknown) => {
        logger.warn({ err: error instanceof Error ? error.message : String(error), event }, 'notifications event not handled; retried later');
        throw error;
      });
    },
  });
  return { stop: async () => void (await Promise.all([concerts.stop(), users.stop(), settings.stop()])) };
}
