import { startStreamConsumer, type Logger, type Redis } from '@stagelives/platform';
import { ConcertEventType, concertEventsStream, decodeConcertEvent, tryParseId } from '@stagelives/schema';
import type { SetlistRepository } from '../setlist/setlist.repository.js';

/** Consumer group of the setlists domain on the concerts event stream. */
export const SETLISTS_CONSUMER_GROUP = 'setlists';

/**
 * Removes the setlist of a deleted concert: reads `concert.deleted` from the concerts event
 * stream in the `setlists` consumer group (each entry to one instance; unacknowledged entries
 * of a crashed instance are claimed by the others after a minute). Deleting is idempotent, so
 * an entry handled twice is harmless; other events are acknowledged and ignored.
 */
export function startConcertDeletedConsumer({
  redis,
  redisPrefix,
  setlists,
  logger,
  blockMs,
}: {
  redis: Redis;
  redisPrefix: string;
  setlists: SetlistRepository;
  logger: Logger;
  /** How long one XREADGROUP waits for entries. Default 1000 ms. */
  blockMs?: number;
}): { stop(): Promise<void> } {
  return startStreamConsumer({
    redis,
    stream: concertEventsStream(redisPrefix),
    group: SETLISTS_CONSUMER_GROUP,
    logger,
    blockMs,
    handle: async (_entryId, fields) => {
      const event = decodeConcertEvent(fields);
      if (event?.type !== ConcertEventType.Deleted) return;
      const concertId = tryParseId(event.payload.concertId);
      if (concertId && (await setlists.deleteByConcert(concertId))) {
        logger.info({ concertId: event.payload.concertId }, 'removed the setlist of a deleted concert');
      }
    },
  });
}
