import type { UserLinkRepository } from '@stagelives/platform';
import {
  ConflictError,
  NotFoundError,
  connectionFromPage,
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  pageSize,
  parseId,
  type Connection,
  type Identity,
} from '@stagelives/schema';
import { cleanRoomName } from '../text/plain-text.js';
import type { CreateChatRoomInput } from './chat-room.input.js';
import type { ChatRoomRepository, ChatRoomQuery } from './chat-room.repository.js';
import type { ChatRoomDocument } from './chat-room.type.js';

/** Rooms: listing, creating (one per concert at most) and looking one up. */
export class ChatRoomService {
  constructor(private readonly repos: { rooms: ChatRoomRepository; memberships: UserLinkRepository }) {}

  /** Rooms by latest activity, newest first, paged by (lastActivityAt, id); optionally the room of one concert. */
  async list(concertId: string | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<Connection<ChatRoomDocument>> {
    const limit = pageSize(first, { max: 100, fallback: 20 });
    const position = after ? decodeTimeIdCursor(after) : null;
    const query: ChatRoomQuery = concertId ? { concertId: parseId(concertId, 'concertId') } : {};
    const [docs, totalCount] = await Promise.all([
      this.repos.rooms.page(query, limit, position && { value: position.time, id: position.id }),
      this.repos.rooms.count(query),
    ]);
    return connectionFromPage(docs, { limit, after, totalCount, edge: (room) => ({ cursor: encodeTimeIdCursor(room.lastActivityAt, room._id), node: room }) });
  }

  /**
   * Creates a room and makes the creator a member. A concert has at most one room: when it has
   * one already (also when a parallel create won the unique index), that room is returned and
   * the viewer joins it; the given name is then not used.
   */
  async create(viewer: Identity, input: CreateChatRoomInput): Promise<ChatRoomDocument> {
    const name = cleanRoomName(input.name);
    const concertId = input.concertId === null || input.concertId === undefined ? null : parseId(input.concertId, 'input.concertId');
    const userId = parseId(viewer.userId, 'viewer');
    const now = new Date();
    const doc: Omit<ChatRoomDocument, '_id'> = {
      name,
      createdById: userId,
      createdAt: now,
      lastActivityAt: now,
      lastSeqHint: 0,
      ...(concertId ? { concertId } : {}),
    };
    const room = concertId ? await this.createForConcert(doc, concertId) : await this.repos.rooms.insert(doc);
    await this.repos.memberships.add(room._id, userId, now);
    return room;
  }

  private async createForConcert(doc: Omit<ChatRoomDocument, '_id'>, concertId: ReturnType<typeof parseId>): Promise<ChatRoomDocument> {
    const created = await this.repos.rooms.insertUnique(doc);
    if (created) return created;
    const existing = await this.repos.rooms.findByConcertId(concertId);
    // Rooms are never deleted, so the room that won the index is there; this is only a guard.
    if (!existing) throw new ConflictError('The concert’s room changed meanwhile. Please try again.', 'input.concertId');
    return existing;
  }

  /** The room or NOT_FOUND (BAD_USER_INPUT for an id that cannot exist). */
  async require(roomId: string, field = 'roomId'): Promise<ChatRoomDocument> {
    const room = await this.repos.rooms.findById(parseId(roomId, field));
    if (!room) throw new NotFoundError('Chat room', roomId);
    return room;
  }
}
