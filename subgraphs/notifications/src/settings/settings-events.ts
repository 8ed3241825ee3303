import type { Logger, Redis } from '@stagelives/platform';
import { NotificationEventType, notificationEvent, publishNotificationEvents } from '@stagelives/schema';

/**
 * Appends `notifications.preferences-changed` to `<REDIS_PREFIX>events:notifications` after the
 * write (schema/src/notification-events.ts): the notifications workers reschedule the user's
 * reminders on it.
 *
 * No outbox: when Redis refuses, the event is logged and dropped; the workers' reconciliation
 * recomputes reminders from the stored preferences, and a reminder re-checks them when it fires.
 */
export class SettingsEvents {
  constructor(
    private readonly redis: Redis,
    private readonly redisPrefix: string,
    private readonly logger: Logger,
  ) {}

  async preferencesChanged(userId: string): Promise<void> {
    const event = notificationEvent(NotificationEventType.PreferencesChanged, { userId });
    try {
      await publishNotificationEvents(this.redis, this.redisPrefix, [event]);
    } catch (error) {
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error), event },
        'notifications event not appended (redis refused); reconciliation catches up',
      );
    }
  }
}
