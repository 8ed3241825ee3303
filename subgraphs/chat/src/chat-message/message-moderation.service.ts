import type { Logger } from '@stagelives/platform';
import { ChatEventType, tryParseId } from '@stagelives/schema';
import type { ChatEventPublisher } from '../events/chat-events.js';
import type { ChatMessageRepository } from './chat-message.repository.js';

/** A decision of the moderation domain about one chat message (a `content.hidden` / `content.restored` event). */
export interface MessageModeration {
  messageId: string;
  hidden: boolean;
  reason: string | null;
  /** When staff decided (ISO-8601): a decision older than the one applied last changes nothing. */
  at: string;
}

/**
 * Applies staff decisions to messages: hidden messages disappear for everyone but their author
 * (nothing is deleted; a restore brings the message back unchanged). When a message is hidden,
 * the room's live subscribers are told (`message-removed`, served by the router as `messageRemoved`).
 */
export class MessageModerationService {
  constructor(
    private readonly messages: ChatMessageRepository,
    private readonly events: ChatEventPublisher,
    private readonly logger: Logger,
  ) {}

  /**
   * Idempotent and order-safe: a decision applies only if it is newer than the last one applied.
   * The removal is announced whenever the message is hidden by this very decision, also when the
   * decision is delivered again (a crash between the write and the announcement loses nothing;
   * subscribers drop a message twice harmlessly).
   */
  async apply({ messageId, hidden, reason, at }: MessageModeration): Promise<void> {
    const id = tryParseId(messageId);
    const when = new Date(at);
    if (!id || Number.isNaN(when.getTime())) return;
    await this.messages.moderate(id, hidden ? { hidden: true, reason } : { hidden: false }, when);
    if (!hidden) return;
    const doc = await this.messages.findById(id);
    if (!doc?.hiddenAt || doc.moderatedAt?.getTime() !== when.getTime()) return;
    await this.events.publish({
      type: ChatEventType.MessageRemoved,
      roomId: doc.roomId.toHexString(),
      messageId: doc._id.toHexString(),
      seq: doc.seq,
      removedAt: doc.hiddenAt.toISOString(),
    });
    this.logger.info({ messageId, roomId: doc.roomId.toHexString() }, 'chat message hidden by staff');
  }
}
