import {
  type ContentModerationPayload,
  type HideableContentName,
  ModerationEventType,
  decodeModerationEvent,
  moderationEventsStream,
} from '@stagelives/schema';
import type { Logger } from '../logger.js';
import type { Redis } from './redis.js';
import { startStreamConsumer } from './stream-consumer.js';

/**
 * A content domain's reaction to staff decisions: reads `content.hidden` / `content.restored` from
 * the moderation stream in the domain's own consumer group (each entry to one instance; a crashed
 * instance's entries are taken over by the others) and calls `handle` for the decisions about the
 * content types the domain owns, with `hidden` and the decision. Others are skipped. `handle` must
 * be idempotent and apply only decisions newer than the last one applied (`payload.at`): an entry
 * is handled again after a failure, and entries may arrive after later ones.
 */
export function onContentModerated({
  redis,
  redisPrefix,
  group,
  owns,
  logger,
  blockMs,
  handle,
}: {
  redis: Redis;
  redisPrefix: string;
  /** The domain's consumer group on the moderation stream. */
  group: string;
  /** The content types this domain owns. */
  owns: readonly HideableContentName[];
  logger: Logger;
  /** How long one XREADGROUP waits for entries. Default 1000 ms. */
  blockMs?: number | undefined;
  handle: (hidden: boolean, decision: ContentModerationPayload) => Promise<void>;
}): { stop(): Promise<void> } {
  return startStreamConsumer({
    redis,
    stream: moderationEventsStream(redisPrefix),
    group,
    logger,
    blockMs,
    handle: async (_entryId, fields) => {
      const event = decodeModerationEvent(fields);
      if (event && owns.includes(event.payload.targetType)) await handle(event.type === ModerationEventType.ContentHidden, event.payload);
    },
  });
}
