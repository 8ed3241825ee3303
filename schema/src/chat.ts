import { BadUserInputError } from './errors.js';
import { decodeCursor, encodeCursor } from './connection.js';
import type { TraceCarrier } from './domain-events.js';

/**
 * The chat domain's live events, on Redis pub/sub: the chat subgraph publishes after the
 * message is stored; router instances subscribe to the rooms their clients watch. Events carry
 * ids and the sequence number only; the router reads each message's fields through the gateway.
 */
export const ChatEventType = {
  /** A message was stored with this per-room sequence number. */
  MessageAdded: 'message-added',
  /** A member left the room (or was removed from it): their subscriptions to it end. */
  MemberLeft: 'member-left',
  /** Staff hid a message: the room's `messageRemoved` subscribers are told (`removedAt`: ISO-8601). */
  MessageRemoved: 'message-removed',
} as const;

export type ChatEvent = (
  | { type: typeof ChatEventType.MessageAdded; roomId: string; messageId: string; seq: number }
  | { type: typeof ChatEventType.MemberLeft; roomId: string; userId: string }
  | { type: typeof ChatEventType.MessageRemoved; roomId: string; messageId: string; seq: number; removedAt: string }
) & {
  /** The trace of the request that caused the event (the router's delivery spans continue it). */
  trace?: TraceCarrier;
};

/** The pub/sub channel of one room: `${REDIS_PREFIX}chat:room:<roomId>`. */
export const chatRoomChannel = (redisPrefix: string, roomId: string) => `${redisPrefix}chat:room:${roomId.toLowerCase()}`;

/** Parses a pub/sub message into a chat event; null when it is not one. */
export function decodeChatEvent(raw: unknown): ChatEvent | null {
  const value = typeof raw === 'string' ? safeParse(raw) : raw;
  if (!value || typeof value !== 'object') return null;
  const event = decodeChatEventFields(value as Record<string, unknown>);
  const trace = (value as { trace?: { traceparent?: unknown; tracestate?: unknown } }).trace;
  if (!event || typeof trace?.traceparent !== 'string') return event;
  return {
    ...event,
    trace: typeof trace.tracestate === 'string' ? { traceparent: trace.traceparent, tracestate: trace.tracestate } : { traceparent: trace.traceparent },
  };
}

function decodeChatEventFields(e: Record<string, unknown>): ChatEvent | null {
  if (e.type === ChatEventType.MessageAdded && typeof e.roomId === 'string' && typeof e.messageId === 'string' && Number.isSafeInteger(e.seq)) {
    return { type: ChatEventType.MessageAdded, roomId: e.roomId, messageId: e.messageId, seq: e.seq as number };
  }
  if (e.type === ChatEventType.MemberLeft && typeof e.roomId === 'string' && typeof e.userId === 'string') {
    return { type: ChatEventType.MemberLeft, roomId: e.roomId, userId: e.userId };
  }
  if (
    e.type === ChatEventType.MessageRemoved &&
    typeof e.roomId === 'string' &&
    typeof e.messageId === 'string' &&
    Number.isSafeInteger(e.seq) &&
    typeof e.removedAt === 'string'
  ) {
    return { type: ChatEventType.MessageRemoved, roomId: e.roomId, messageId: e.messageId, seq: e.seq as number, removedAt: e.removedAt };
  }
  return null;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * A message's cursor is its sequence number in its room: `after` of `messageAdded` and
 * `before`/`after` of `ChatRoom.messages` take it.
 */
export const encodeMessageCursor = (seq: number): string => encodeCursor(['m', seq]);

export function decodeMessageCursor(cursor: string, field = 'after'): number {
  const [kind, seq] = decodeCursor(cursor, 2, field);
  if (kind !== 'm' || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)
    throw new BadUserInputError(`${field} is not a valid message cursor.`, field);
  return seq;
}
