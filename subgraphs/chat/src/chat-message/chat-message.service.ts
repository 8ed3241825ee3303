import { setTimeout as sleep } from 'node:timers/promises';
import { GroupCommit, type Logger } from '@stagelives/platform';
import {
  BadUserInputError,
  ChatEventType,
  ForbiddenError,
  MutedError,
  ServiceUnavailableError,
  decodeMessageCursor,
  encodeMessageCursor,
  pageSize,
  parseId,
  tryParseId,
  type Edge,
  type Identity,
  type PageInfo,
} from '@stagelives/schema';
import type { ObjectId } from 'mongodb';
import type { ChatRoomRepository } from '../chat-room/chat-room.repository.js';
import type { ChatRoomService } from '../chat-room/chat-room.service.js';
import type { ChatEventPublisher } from '../events/chat-events.js';
import type { MembershipService } from '../membership/membership.service.js';
import type { ChatMuteRepository } from '../mute/chat-mute.repository.js';
import { cleanMessageBody } from '../text/plain-text.js';
import type { ChatMessageRepository } from './chat-message.repository.js';
import { visibleTo, type ChatMessageDocument } from './chat-message.type.js';

/** Paging and range limits of message reads. */
export const MESSAGE_PAGING = { defaultPage: 50, maxPage: 100, maxRange: 200 } as const;

/** How hard a send competes for the next seq before giving up with SERVICE_UNAVAILABLE. */
export interface SeqRetryPolicy {
  /** Insert attempts (the first after this process's own last insert, the others after reading the room's newest seq). */
  attempts: number;
  /** Wait before attempt `attempt + 1`, in ms. */
  delayMs(attempt: number): number;
}

/** Full jitter, doubling from 4 ms up to 200 ms: racing senders spread out instead of colliding again. */
const DEFAULT_SEQ_RETRY: SeqRetryPolicy = {
  attempts: 30,
  delayMs: (attempt) => Math.random() * Math.min(200, 4 * 2 ** attempt),
};

export interface MessagePageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** A range as the router reads it: the visible messages, and how far storage was read. */
export interface MessageFeed {
  messages: ChatMessageDocument[];
  lastSeq: number;
  hasMore: boolean;
}

export interface MessagePage {
  edges: Array<Edge<ChatMessageDocument>>;
  pageInfo: PageInfo;
}

/** A send waiting in this process for its room's next insert. */
interface PendingSend {
  roomId: ObjectId;
  authorId: ObjectId;
  body: string;
}

/** Most messages stored by one insert. */
const MAX_RUN = 100;
/** Rooms whose last stored seq this process remembers (least recently written forgotten first). */
const KNOWN_SEQ_ROOMS = 10_000;

/**
 * Messages: sending (members only, rate-limited, numbered per room without transactions) and
 * reading (pages by seq, ranges for the router's back-fill).
 */
export class ChatMessageService {
  /**
   * One writer per room (hex id) in this process: everything waiting goes with one insert
   * (group commit): a busy room costs one insert and one room update per run instead of a read
   * and an insert per message, and the process never races itself for a seq; the unique index
   * still arbitrates between processes.
   */
  private readonly writes = new GroupCommit<string, PendingSend, ChatMessageDocument>((key, run) => this.writeRun(key, run), MAX_RUN);
  /** Per room (hex id): the last seq this process stored (a stored seq, so the next may follow it). */
  private readonly knownSeq = new Map<string, number>();

  constructor(
    private readonly repos: { rooms: ChatRoomRepository; messages: ChatMessageRepository; mutes: ChatMuteRepository },
    private readonly rooms: ChatRoomService,
    private readonly memberships: MembershipService,
    private readonly events: ChatEventPublisher,
    private readonly logger: Logger,
    private readonly seqRetry: SeqRetryPolicy = DEFAULT_SEQ_RETRY,
  ) {}

  /**
   * Stores a message with the room's next seq, then announces it on the room's channel. The
   * body is checked first, then the room (NOT_FOUND), the membership and a mute (FORBIDDEN, with
   * `mutedUntil`). The sender's allowance is the field's `@rateLimit`; a send refused here gives its point back.
   */
  async send(viewer: Identity, roomId: string, rawBody: string): Promise<ChatMessageDocument> {
    const body = cleanMessageBody(rawBody);
    const room = await this.rooms.require(roomId);
    const authorId = parseId(viewer.userId, 'viewer');
    const now = new Date();
    const [member, mute] = await Promise.all([this.memberships.isMember(viewer.userId, room._id), this.repos.mutes.findActive(room._id, authorId, now)]);
    if (!member) throw new ForbiddenError('Only members of this room can send messages to it.');
    if (mute) throw new MutedError(mute.until, now);
    return this.writes.submit(room._id.toHexString(), { roomId: room._id, authorId, body });
  }

  /** Stores a run of the room's sends, then announces them and notes the room's activity. */
  private async writeRun(key: string, run: PendingSend[]): Promise<Array<ChatMessageDocument | Error>> {
    const roomId = run[0]!.roomId;
    const outcomes = await this.storeRun(roomId, run);
    const stored = outcomes.filter((o): o is ChatMessageDocument => !(o instanceof Error));
    const newest = stored.at(-1);
    if (newest) {
      // Stored, so announced (the router reads up to the newest seq it hears of), and the
      // room's activity noted, both before any send of the run answers.
      await Promise.all([
        this.repos.rooms.noteMessage(roomId, newest.seq, newest.createdAt).catch((error: unknown) => {
          this.logger.warn(
            { roomId: key, seq: newest.seq, err: error instanceof Error ? error.message : String(error) },
            'room activity not updated after a message',
          );
        }),
        ...stored.map((message) =>
          this.events.publish({ type: ChatEventType.MessageAdded, roomId: key, messageId: message._id.toHexString(), seq: message.seq }),
        ),
      ]);
    }
    return outcomes;
  }

  /**
   * Sequence numbers without transactions: insert the run at the seqs after the room's last
   * stored one (remembered from this process's own last insert, or read), in order; the unique
   * (roomId, seq) index refuses a seq another instance took, and then the rest of the run reads
   * the room's newest seq again and retries after a jittered wait. Every stored seq k was
   * inserted after seq k − 1 was known stored, so seqs are unique, gapless and in commit order.
   * Answers, per send of the run, its stored message or, when still unstored after the bounded
   * attempts, SERVICE_UNAVAILABLE.
   */
  private async storeRun(roomId: ObjectId, run: readonly PendingSend[]): Promise<Array<ChatMessageDocument | Error>> {
    const key = roomId.toHexString();
    const createdAt = new Date();
    const outcomes: Array<ChatMessageDocument | Error> = new Array(run.length);
    let left = run.map((send, index) => ({ send, index }));
    for (let attempt = 1; attempt <= this.seqRetry.attempts && left.length > 0; attempt += 1) {
      const last = this.knownSeq.get(key) ?? (await this.repos.messages.maxSeq(roomId));
      const docs = await this.repos.messages.insertRun(
        left.map(({ send }, i) => ({ roomId, seq: last + 1 + i, body: send.body, authorId: send.authorId, createdAt })),
      );
      const stored = new Set<number>();
      for (const doc of docs) {
        const i = doc.seq - last - 1;
        stored.add(i);
        outcomes[left[i]!.index] = doc;
      }
      this.knownSeq.delete(key);
      if (docs.length === left.length) {
        // Everything stored: the next run follows on from here without reading.
        this.knownSeq.set(key, last + left.length);
        if (this.knownSeq.size > KNOWN_SEQ_ROOMS) this.knownSeq.delete(this.knownSeq.keys().next().value!);
        return outcomes;
      }
      // Another instance holds a seq of the run: forget ours, read again, and retry the rest.
      left = left.filter((_, i) => !stored.has(i));
      if (docs.length === 0 && attempt < this.seqRetry.attempts) await sleep(this.seqRetry.delayMs(attempt));
    }
    this.logger.warn({ roomId: key, attempts: this.seqRetry.attempts, unstored: left.length }, 'message not stored: every seq attempt lost a race');
    for (const { index } of left) outcomes[index] = new ServiceUnavailableError('The room is too busy right now. Please send your message again.');
    return outcomes;
  }

  /**
   * A page of a room's messages, oldest first within the page. Backward (`last`/`before`, the
   * default: the newest 50) or forward (`first`/`after`); at most 100; never both directions.
   */
  async page(roomId: ObjectId, { first, after, last, before }: MessagePageArgs, viewerId: string | null): Promise<MessagePage> {
    const viewer = viewerId ? tryParseId(viewerId) : null;
    const forward = (first ?? null) !== null || (after ?? null) !== null;
    const backward = (last ?? null) !== null || (before ?? null) !== null;
    if (forward && backward) throw new BadUserInputError('Page with first/after or with last/before, not both.', 'last');
    const options = { max: MESSAGE_PAGING.maxPage, fallback: MESSAGE_PAGING.defaultPage };
    if (forward) {
      const limit = pageSize(first, { ...options, field: 'first' });
      const from = after ? decodeMessageCursor(after, 'after') : null;
      const docs = await this.repos.messages.page(roomId, 'newer', limit, from, viewer);
      return pageOf(docs.slice(0, limit), { hasNextPage: docs.length > limit, hasPreviousPage: from !== null });
    }
    const limit = pageSize(last, { ...options, field: 'last' });
    const from = before ? decodeMessageCursor(before, 'before') : null;
    const docs = await this.repos.messages.page(roomId, 'older', limit, from, viewer);
    return pageOf(docs.slice(0, limit).reverse(), { hasNextPage: from !== null, hasPreviousPage: docs.length > limit });
  }

  /**
   * The messages of a room with afterSeq < seq ≤ upToSeq (or up to the newest), ascending, at
   * most 200, without those staff hid (but the viewer's own): callers continue after the last seq
   * returned. An unknown room has no messages.
   */
  async range(roomId: string, afterSeq: number, upToSeq: number | null | undefined, viewerId: string | null): Promise<ChatMessageDocument[]> {
    const { room, upTo } = rangeArgs(roomId, afterSeq, upToSeq);
    if (upTo === afterSeq) return [];
    return this.repos.messages.range(room, afterSeq, upTo, MESSAGE_PAGING.maxRange, { viewerId: viewerId ? tryParseId(viewerId) : null });
  }

  /**
   * A range as the router reads it for live subscribers: up to 200 stored messages from afterSeq
   * on, of which those the viewer may see (with `includeOwnHidden` false, none staff hid, the
   * viewer's own included: what a group of subscribers shares), and the highest seq read, so a
   * reader moves past hidden messages without taking them for a gap.
   */
  async feed(roomId: string, afterSeq: number, upToSeq: number | null | undefined, viewerId: string | null, includeOwnHidden: boolean): Promise<MessageFeed> {
    const { room, upTo } = rangeArgs(roomId, afterSeq, upToSeq);
    if (upTo === afterSeq) return { messages: [], lastSeq: afterSeq, hasMore: false };
    const docs = await this.repos.messages.range(room, afterSeq, upTo, MESSAGE_PAGING.maxRange);
    const reader = includeOwnHidden ? viewerId : null;
    return {
      messages: docs.filter((doc) => visibleTo(doc, reader)),
      lastSeq: docs.at(-1)?.seq ?? afterSeq,
      hasMore: docs.length === MESSAGE_PAGING.maxRange,
    };
  }

  /** The messages of a range staff hid (for `messageRemoved`), ascending, at most 200: continue after the last seq returned. */
  async removals(roomId: string, afterSeq: number, upToSeq: number | null | undefined): Promise<ChatMessageDocument[]> {
    const { room, upTo } = rangeArgs(roomId, afterSeq, upToSeq);
    if (upTo === afterSeq) return [];
    return this.repos.messages.hiddenInRange(room, afterSeq, upTo, MESSAGE_PAGING.maxRange);
  }

  /** The newest message of a room the viewer may see, given the room's newest message. */
  async newestVisible(newest: ChatMessageDocument | null, viewerId: string | null): Promise<ChatMessageDocument | null> {
    if (!newest || visibleTo(newest, viewerId)) return newest;
    return this.repos.messages.newestVisibleBelow(newest.roomId, newest.seq, viewerId ? tryParseId(viewerId) : null);
  }
}

function rangeArgs(roomId: string, afterSeq: number, upToSeq: number | null | undefined): { room: ObjectId; upTo: number | null } {
  const room = parseId(roomId, 'roomId');
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new BadUserInputError('afterSeq must be 0 or more.', 'afterSeq');
  const upTo = upToSeq ?? null;
  if (upTo !== null && (!Number.isSafeInteger(upTo) || upTo < afterSeq)) throw new BadUserInputError('upToSeq must not be less than afterSeq.', 'upToSeq');
  return { room, upTo };
}

function pageOf(docs: ChatMessageDocument[], { hasNextPage, hasPreviousPage }: { hasNextPage: boolean; hasPreviousPage: boolean }): MessagePage {
  const edges = docs.map((doc) => ({ cursor: encodeMessageCursor(doc.seq), node: doc }));
  return { edges, pageInfo: { hasNextPage, hasPreviousPage, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } };
}
