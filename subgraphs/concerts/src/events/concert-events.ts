import type { Logger, Redis } from '@stagelives/platform';
import { concertEvent, publishConcertEvents, type ConcertEventPayloads, type ConcertEventTypeName } from '@stagelives/schema';

/** Appends concert domain events to the Redis stream the other domains consume. */
export class ConcertEvents {
  constructor(
    private readonly redis: Redis,
    private readonly redisPrefix: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Awaited, after the database change it reports. If Redis refuses, the change stands and the
   * failure is logged with the event (there is no outbox yet: see docs/concerts.md).
   */
  async emit<K extends ConcertEventTypeName>(...events: Array<[K, ConcertEventPayloads[K]]>): Promise<void> {
    const built = events.map(([type, payload]) => concertEvent(type, payload));
    try {
      await publishConcertEvents(this.redis, this.redisPrefix, built);
    } catch (error) {
      this.logger.error({ err: error, events: built }, 'could not append concert events to the stream');
    }
  }
}
