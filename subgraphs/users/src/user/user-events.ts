import type { Logger, Redis } from '@stagelives/platform';
import { publishUserEvents, userEvent, type UserEventPayloads, type UserEventTypeName } from '@stagelives/schema';

/**
 * Appends users domain events (`schema/src/user-events.ts`) to `<REDIS_PREFIX>events:users`,
 * after the write they report. The notifications domain reschedules reminders on them.
 *
 * No outbox: when Redis refuses, the event is logged and dropped. What it would have triggered
 * is caught up anyway: the notifications reconciliation recomputes reminders from the stored
 * preferences, and a deleted account leaves a `deleted_users` marker in the notifications
 * database (SettingsRepository.deleteByUser) that scheduling and sending check.
 */
export class UserEvents {
  constructor(
    private readonly redis: Redis,
    private readonly redisPrefix: string,
    private readonly logger: Logger,
  ) {}

  async emit<K extends UserEventTypeName>(type: K, payload: UserEventPayloads[K]): Promise<void> {
    const event = userEvent(type, payload);
    try {
      await publishUserEvents(this.redis, this.redisPrefix, [event]);
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error), event }, 'user event not appended (redis refused); reconciliation catches up');
    }
  }
}
