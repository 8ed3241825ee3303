import { onUserDeleted, type Logger, type Redis, type UserLinkRepository } from '@stagelives/platform';
import { ChatEventType, tryParseId } from '@stagelives/schema';
import type { ChatEventPublisher } from './chat-events.js';

/** Consumer group of the chat domain on the users event stream. */
const CHAT_USERS_CONSUMER_GROUP = 'chat';

/**
 * A deleted account leaves every room it was in: reads `user.deleted` from the users event
 * stream in the `chat` consumer group (each entry to one chat instance; a crashed instance's
 * entries are claimed by the others after a minute), removes the account's memberships, so
 * `memberCount` counts only live accounts, and announces `member-left` per room, which ends the
 * account's subscriptions on every router. Its messages stay, by "deleted user". Idempotent: an
 * entry handled twice finds no membership left.
 */
export function startUserDeletedConsumer({
  redis,
  redisPrefix,
  memberships,
  events,
  logger,
  blockMs,
}: {
  redis: Redis;
  redisPrefix: string;
  memberships: UserLinkRepository;
  events: ChatEventPublisher;
  logger: Logger;
  /** How long one XREADGROUP waits for entries. Default 1000 ms. */
  blockMs?: number;
}): { stop(): Promise<void> } {
  return onUserDeleted({
    redis,
    redisPrefix,
    group: CHAT_USERS_CONSUMER_GROUP,
    logger,
    blockMs,
    handle: async (id) => {
      const userId = tryParseId(id);
      if (!userId) return;
      const rooms = await memberships.parentsOf(userId);
      if (rooms.length === 0) return;
      await memberships.deleteByUser(userId);
      for (const roomId of rooms) await events.publish({ type: ChatEventType.MemberLeft, roomId: roomId.toHexString(), userId: id });
      logger.info({ userId: id, rooms: rooms.length }, 'a deleted account left its chat rooms');
    },
  });
}
