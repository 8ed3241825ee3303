import { UserEventType, decodeUserEvent, userEventsStream } from '@stagelives/schema';
import type { Logger } from '../logger.js';
import type { Redis } from './redis.js';
import { startStreamConsumer } from './stream-consumer.js';

/**
 * A domain's reaction to deleted accounts: reads `user.deleted` from the users event stream in the
 * domain's own consumer group (each entry to one instance of the domain; a crashed instance's
 * entries are taken over by the others) and calls `handle` with the account's id. Other events are
 * skipped. `handle` must be idempotent: an entry whose handling failed is handled again.
 */
export function onUserDeleted({
  redis,
  redisPrefix,
  group,
  logger,
  blockMs,
  handle,
}: {
  redis: Redis;
  redisPrefix: string;
  /** The domain's consumer group on the users stream. */
  group: string;
  logger: Logger;
  /** How long one XREADGROUP waits for entries. Default 1000 ms. */
  blockMs?: number | undefined;
  handle: (userId: string) => Promise<void>;
}): { stop(): Promise<void> } {
  return startStreamConsumer({
    redis,
    stream: userEventsStream(redisPrefix),
    group,
    logger,
    blockMs,
    handle: async (_entryId, fields) => {
      const event = decodeUserEvent(fields);
      if (event?.type === UserEventType.Deleted) await handle(event.payload.userId);
    },
  });
}
