import type { Logger, Redis } from '@stagelives/platform';
import { publishUserEvents, userEvent, type UserEventPayloads, type UserEventTypeName } from '@stagelives/schema';

/**
 * Appends users domain events (`schema/src/user-events.ts`) to `<REDIS_PREFIX>events:users`,
 * after the write they report. The notifications and chat domains react to `user.deleted`.
 *
 * No outbox: when Redis refuses, the event is logged and dropped, and the other domains do not
 * learn of the deletion (docs/users.md, "Deleting an account").
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
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error), event },
        'user event not appended (redis refused); reconciliation catches up',
      );
    }
  }
}
