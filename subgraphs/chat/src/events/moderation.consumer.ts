import { onContentModerated, type Logger, type Redis } from '@stagelives/platform';
import type { MessageModerationService } from '../chat-message/message-moderation.service.js';

/** Consumer group of the chat domain on the moderation event stream. */
const CHAT_MODERATION_CONSUMER_GROUP = 'chat';

/**
 * Staff hid or restored a chat message: reads `content.hidden` / `content.restored` from the
 * moderation event stream in the `chat` consumer group (each entry to one chat instance, at least
 * once; a crashed instance's entries are claimed by the others) and applies those about
 * `CHAT_MESSAGE`s to the messages (MessageModerationService: newer decisions only, so order and
 * redelivery are safe). Other content is the articles domain's.
 */
export function startModerationConsumer({
  redis,
  redisPrefix,
  moderation,
  logger,
  blockMs,
}: {
  redis: Redis;
  redisPrefix: string;
  moderation: MessageModerationService;
  logger: Logger;
  /** How long one XREADGROUP waits for entries. Default 1000 ms. */
  blockMs?: number;
}): { stop(): Promise<void> } {
  return onContentModerated({
    redis,
    redisPrefix,
    group: CHAT_MODERATION_CONSUMER_GROUP,
    owns: ['CHAT_MESSAGE'],
    logger,
    blockMs,
    handle: (hidden, decision) =>
      moderation.apply({ messageId: decision.targetId, hidden, reason: decision.reason ?? null, at: decision.at }).then(() => undefined),
  });
}
