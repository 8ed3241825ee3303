import type { Db } from 'mongodb';
import type { Logger, Redis } from '@stagelives/platform';
import { concertEvent, publishConcertEvents, type ConcertEvent, type ConcertEventPayloads, type ConcertEventTypeName } from '@stagelives/schema';
import { keepInOutbox, oldestInOutbox, removeFromOutbox } from './event-outbox.repository.js';

/**
 * Appends events to the stream, or, when Redis refuses, to the outbox. Returns where they went;
 * throws only when both refuse.
 */
export async function appendOrKeep(redis: Redis, redisPrefix: string, db: Db, events: ConcertEvent[]): Promise<'stream' | 'outbox'> {
  if (events.length === 0) return 'stream';
  try {
    await publishConcertEvents(redis, redisPrefix, events);
    return 'stream';
  } catch {
    await keepInOutbox(db, events);
    return 'outbox';
  }
}

/** Appends concert domain events to the Redis stream the other domains consume. */
export class ConcertEvents {
  constructor(
    private readonly redis: Redis,
    private readonly redisPrefix: string,
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  /**
   * Awaited, after the database change it reports. When Redis refuses, the events go to the
   * `event_outbox` collection (the database just took a write) and the status job appends them
   * later; only when both fail is an event lost, and then it is logged with its content.
   */
  async emit<K extends ConcertEventTypeName>(...events: Array<[K, ConcertEventPayloads[K]]>): Promise<void> {
    const built = events.map(([type, payload]) => concertEvent(type, payload));
    if (built.length === 0) return;
    try {
      const where = await appendOrKeep(this.redis, this.redisPrefix, this.db, built);
      if (where === 'outbox') this.logger.warn({ count: built.length }, 'redis refused concert events; kept in the outbox');
    } catch (error) {
      this.logger.error({ err: error, events: built }, 'concert events lost: neither redis nor the outbox took them');
    }
  }
}

/**
 * Appends the events Redis refused earlier, oldest first, then deletes them from the outbox;
 * returns how many it moved. Run by the status job under its lock: a crash between appending
 * and deleting re-sends a batch (consumers dedupe by event id).
 */
export async function flushOutbox(db: Db, redis: Redis, redisPrefix: string, batch = 500): Promise<number> {
  let moved = 0;
  for (;;) {
    const docs = await oldestInOutbox(db, batch);
    if (docs.length === 0) return moved;
    await publishConcertEvents(
      redis,
      redisPrefix,
      docs.map((d) => d.event),
    );
    await removeFromOutbox(db, docs);
    moved += docs.length;
    if (docs.length < batch) return moved;
  }
}
