import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@stagelives/platform';
import {
  BadUserInputError,
  ChatEventType,
  ForbiddenError,
  ServiceUnavailableError,
  decodeMessageCursor,
  encodeMessageCursor,
  pageSize,
  parseId,
  type Edge,
  type Identity,
  type PageInfo,
} from '@stagelives/schema';
import type { ObjectId } from 'mongodb';
import type { ChatRoomRepository } from '../chat-room/chat-room.repository.js';
import type { ChatRoomService } from '../chat-room/chat-room.service.js';
import type { ChatEventPublisher } from '../events/chat-events.js';
import type { MembershipService } from '../membership/membership.service.js';
import { cleanMessageBody } from '../text/plain-text.js';
import type { ChatMessageRepository } from './chat-message.repository.js';
import type { ChatMessageDocument } from './chat-message.type.js';
import type { SendRateLimit } from './send-rate-limit.js';

/** Paging and range limits of message reads. */
export const MESSAGE_PAGING = { defaultPage: 50, maxPage: 100, maxRange: 200 } as const;

/** How hard a send competes for the next seq before giving up with SERVICE_UNAVAILABLE. */
export interface SeqRetryPolicy {
  /** Insert attempts (each reads the current max seq first). */
  attempts: number;
  /** Wait before attempt `attempt + 1`, in ms. */
  delayMs(attempt: number): number;
}

/** Full jitter, doubling from 4 ms up to 200 ms: racing senders spread out instead of colliding again. */
export const DEFAULT_SEQ_RETRY: SeqRetryPolicy = {
  attempts: 30,
  delayMs: (attempt) => Math.random() * Math.min(200, 4 * 2 ** attempt),
};

export interface MessagePageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface MessagePage {
  edges: Array<Edge<ChatMessageDocument>>;
  pageInfo: PageInfo;
}

/**
 * Messages: sending (members only, rate-limited, numbered per room without transactions) and
 * reading (pages by seq, ranges for the router's back-fill).
 */
export class ChatMessageService {
  /** The last store queued per room (hex id) in this process; see inRoomOrder. */
  private readonly roomQueues = new Map<string, Promise<void>>();

  constructor(
    private readonly repos: { rooms: ChatRoomRepository; messages: ChatMessageRepository },
    private readonly rooms: ChatRoomService,
    private readonly memberships: MembershipService,
    private readonly rateLimit: SendRateLimit,
    private readonly events: ChatEventPublisher,
    private readonly logger: Logger,
    private readonly seqRetry: SeqRetryPolicy = DEFAULT_SEQ_RETRY,
  ) {}

  /**
   * Stores a message with the room's next seq, then announces it on the room's channel. The
   * body is checked first, then the room (NOT_FOUND), the membership (FORBIDDEN) and the
   * sender's rate limit (RATE_LIMITED): only messages that could be stored use up the allowance.
   */
  async send(viewer: Identity, roomId: string, rawBody: string): Promise<ChatMessageDocument> {
    const body = cleanMessageBody(rawBody);
    const room = await this.rooms.require(roomId);
    if (!(await this.memberships.isMember(viewer.userId, room._id))) throw new ForbiddenError('Only members of this room can send messages to it.');
    await this.rateLimit.consume(viewer.userId);
    const authorId = parseId(viewer.userId, 'viewer');
    const message = await this.inRoomOrder(room._id.toHexString(), () => this.store(room._id, authorId, body));
    await Promise.all([
      this.repos.rooms.noteMessage(room._id, message.seq, message.createdAt).catch((error: unknown) => {
        this.logger.warn({ roomId, seq: message.seq, err: error instanceof Error ? error.message : String(error) }, 'room activity not updated after a message');
      }),
      this.events.publish({ type: ChatEventType.MessageAdded, roomId: room._id.toHexString(), messageId: message._id.toHexString(), seq: message.seq }),
    ]);
    return message;
  }

  /**
   * Runs the stores of one room one after another within this process, so its own senders do
   * not race each other for the same seq (a burst of n parallel sends would otherwise cost
   * O(n²) refused inserts); the unique index still arbitrates between processes.
   */
  private inRoomOrder<T>(roomKey: string, task: () => Promise<T>): Promise<T> {
    const previous = this.roomQueues.get(roomKey) ?? Promise.resolve();
    const run = previous.then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.roomQueues.set(roomKey, tail);
    void tail.then(() => {
      if (this.roomQueues.get(roomKey) === tail) this.roomQueues.delete(roomKey);
    });
    return run;
  }

  /**
   * Sequence numbers without transactions: read the room's highest seq, insert at the next one,
   * and let the unique (roomId, seq) index refuse all but one of any racing inserts; a refused
   * sender reads again and retries after a jittered wait. Every stored seq k was inserted after
   * seq k − 1 was read as stored, so seqs are unique, gapless and in commit order.
   */
  private async store(roomId: ObjectId, authorId: ObjectId, body: string): Promise<ChatMessageDocument> {
    for (let attempt = 1; attempt <= this.seqRetry.attempts; attempt += 1) {
      const seq = (await this.repos.messages.maxSeq(roomId)) + 1;
      const stored = await this.repos.messages.insertAtSeq({ roomId, seq, body, authorId, createdAt: new Date() });
      if (stored) return stored;
      if (attempt < this.seqRetry.attempts) await sleep(this.seqRetry.delayMs(attempt));
    }
    this.logger.warn({ roomId: roomId.toHexString(), attempts: this.seqRetry.attempts }, 'message not stored: every seq attempt lost a race');
    throw new ServiceUnavailableError('The room is too busy right now. Please send your message again.');
  }

  /**
   * A page of a room's messages, oldest first within the page. Backward (`last`/`before`, the
   * default: the newest 50) or forward (`first`/`after`); at most 100; never both directions.
   */
  async page(roomId: ObjectId, { first, after, last, before }: MessagePageArgs): Promise<MessagePage> {
    const forward = (first ?? null) !== null || (after ?? null) !== null;
    const backward = (last ?? null) !== null || (before ?? null) !== null;
    if (forward && backward) throw new BadUserInputError('Page with first/after or with last/before, not both.', 'last');
    const options = { max: MESSAGE_PAGING.maxPage, fallback: MESSAGE_PAGING.defaultPage };
    if (forward) {
      const limit = pageSize(first, { ...options, field: 'first' });
      const from = after ? decodeMessageCursor(after, 'after') : null;
      const docs = await this.repos.messages.page(roomId, 'newer', limit, from);
      return pageOf(docs.slice(0, limit), { hasNextPage: docs.length > limit, hasPreviousPage: from !== null });
    }
    const limit = pageSize(last, { ...options, field: 'last' });
    const from = before ? decodeMessageCursor(before, 'before') : null;
    const docs = await this.repos.messages.page(roomId, 'older', limit, from);
    return pageOf(docs.slice(0, limit).reverse(), { hasNextPage: from !== null, hasPreviousPage: docs.length > limit });
  }

  /**
   * The messages of a room with afterSeq < seq ≤ upToSeq (or up to the newest), ascending, at
   * most 200: callers continue after the last seq returned. An unknown room has no messages.
   */
  async range(roomId: string, afterSeq: number, upToSeq: number | null | undefined): Promise<ChatMessageDocument[]> {
    const room = parseId(roomId, 'roomId');
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new BadUserInputError('afterSeq must be 0 or more.', 'afterSeq');
    const upTo = upToSeq ?? null;
    if (upTo !== null && (!Number.isSafeInteger(upTo) || upTo < afterSeq)) throw new BadUserInputError('upToSeq must not be less than afterSeq.', 'upToSeq');
    if (upTo === afterSeq) return [];
    return this.repos.messages.range(room, afterSeq, upTo, MESSAGE_PAGING.maxRange);
  }
}

function pageOf(docs: ChatMessageDocument[], { hasNextPage, hasPreviousPage }: { hasNextPage: boolean; hasPreviousPage: boolean }): MessagePage {
  const edges = docs.map((doc) => ({ cursor: encodeMessageCursor(doc.seq), node: doc }));
  return { edges, pageInfo: { hasNextPage, hasPreviousPage, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } };
}
