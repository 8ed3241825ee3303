// Hidden chat messages through the router: `content.hidden` / `content.restored` published on the
// real `events:moderation` stream (as the moderation subgraph does) reach the chat domain, which
// hides the message from everyone but its author in every history read, tells live
// subscribers (contract/chat.graphql's MessageRemoved, verbatim) and brings it back on restore.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessageCursor, moderationEvent, publishModerationEvents, type HideableContentName } from '@stagelives/schema';
import { codeOf, gql, ok, signUp, startStack, type Stack } from '../support/harness.js';
import { collect, eventually, join, roomWithMember, send, wsClient } from '../support/live.js';

const MESSAGE_REMOVED = `subscription MessageRemoved($roomId: ID!) {
  messageRemoved(roomId: $roomId) { messageId roomId removedAt }
}`;
const REMOVED_AFTER = `subscription($roomId: ID!, $after: String) {
  messageRemoved(roomId: $roomId, after: $after) { messageId roomId seq removedAt }
}`;
const ADDED = `subscription($roomId: ID!, $after: String) {
  messageAdded(roomId: $roomId, after: $after) { id seq body hidden }
}`;
const HISTORY = `query($id: ID!, $afterSeq: Int!) {
  chatRoom(id: $id) {
    lastSeq
    lastMessage { id body hidden }
    messages(last: 50) { edges { node { id seq body hidden } } }
  }
  chatMessagesInRange(roomId: $id, afterSeq: $afterSeq) { id seq hidden }
}`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ WS_SESSION_CHECK_SECONDS: '30', CHAT_RESYNC_SECONDS: '600' });
}, 60_000);
afterAll(() => stack?.close());

/** Publishes a moderation decision on the stack's `events:moderation` stream, as the moderation subgraph does. */
async function moderate(type: 'content.hidden' | 'content.restored', messageId: string, at: Date, targetType: HideableContentName = 'CHAT_MESSAGE') {
  await publishModerationEvents(stack.redis, stack.env.REDIS_PREFIX!, [
    moderationEvent(type, { targetType, targetId: messageId, actorId: '0000000000000000000000ff', reason: 'spam', at: at.toISOString() }),
  ]);
}

type History = {
  chatRoom: {
    lastSeq: number;
    lastMessage: { id: string; body: string; hidden: boolean } | null;
    messages: { edges: Array<{ node: { id: string; seq: number; body: string; hidden: boolean } }> };
  };
  chatMessagesInRange: Array<{ id: string; seq: number; hidden: boolean }>;
};
const history = (roomId: string, token?: string) => ok<History>(stack, HISTORY, { id: roomId, afterSeq: 0 }, { token });
const ids = (h: History) => ({ page: h.chatRoom.messages.edges.map((e) => e.node.id), range: h.chatMessagesInRange.map((m) => m.id) });

/** Running subscriptions (the router's gauge): a subscription has joined the hub once it counts. */
async function activeSubscriptions(): Promise<number> {
  const text = await (await fetch(`${stack.baseUrl}/metrics`)).text();
  return Number(/router_subscriptions_active(?:\{[^}]*\})? (\d+)/.exec(text)?.[1] ?? 0);
}

async function roomWithMessages() {
  const { roomId, owner: author } = await roomWithMember(stack, 'hidden messages');
  const reader = await signUp(stack);
  await join(stack, roomId, reader.token);
  const m1 = await send(stack, roomId, 'first', author.token);
  const m2 = await send(stack, roomId, 'buy cheap tickets at spam.example', author.token);
  const m3 = await send(stack, roomId, 'third', reader.token);
  return { roomId, author, reader, m1, m2, m3 };
}

describe('hidden chat messages', () => {
  it('should tell a live subscriber, hide the message from everyone but its author, and restore it unchanged', async () => {
    const { roomId, author, reader, m1, m2, m3 } = await roomWithMessages();
    const client = wsClient(stack.wsUrl, reader.token);
    try {
      const baseline = await activeSubscriptions();
      const removed = collect(client, MESSAGE_REMOVED, { roomId });
      await eventually(async () => (await activeSubscriptions()) > baseline, 5_000, 'the messageRemoved subscription running');

      const hiddenAt = new Date();
      await moderate('content.hidden', m2.id, hiddenAt);
      const [event] = await removed.waitFor(1);
      expect(event).toEqual({ data: { messageRemoved: { messageId: m2.id, roomId, removedAt: hiddenAt.toISOString() } } });

      // Others (a member, an anonymous reader) no longer see it anywhere; the author does, marked hidden.
      for (const token of [reader.token, undefined]) {
        const h = await history(roomId, token);
        expect(ids(h)).toEqual({ page: [m1.id, m3.id], range: [m1.id, m3.id] });
        expect(h.chatRoom.lastSeq).toBe(3);
      }
      const own = await history(roomId, author.token);
      expect(own.chatRoom.messages.edges.map((e) => e.node)).toEqual([
        { id: m1.id, seq: 1, body: 'first', hidden: false },
        { id: m2.id, seq: 2, body: 'buy cheap tickets at spam.example', hidden: true },
        { id: m3.id, seq: 3, body: 'third', hidden: false },
      ]);
      expect(own.chatMessagesInRange.map((m) => [m.id, m.hidden])).toEqual([
        [m1.id, false],
        [m2.id, true],
        [m3.id, false],
      ]);

      // Restored: back for everyone, unchanged.
      await moderate('content.restored', m2.id, new Date(hiddenAt.getTime() + 1_000));
      await eventually(async () => ids(await history(roomId, reader.token)).page.length === 3, 5_000, 'the message restored');
      const back = await history(roomId);
      expect(back.chatRoom.messages.edges.map((e) => e.node)[1]).toEqual({ id: m2.id, seq: 2, body: 'buy cheap tickets at spam.example', hidden: false });
      expect(ids(back).range).toEqual([m1.id, m2.id, m3.id]);

      // A decision older than the one applied last changes nothing (a late or repeated event).
      await moderate('content.hidden', m2.id, hiddenAt);
      await moderate('content.hidden', m3.id, new Date(hiddenAt.getTime() + 2_000));
      await eventually(async () => ids(await history(roomId)).page.length === 2, 5_000, 'the third message hidden');
      expect(ids(await history(roomId)).page).toEqual([m1.id, m2.id]);
      expect(removed.results.map((r) => r.data?.messageRemoved.messageId)).toEqual([m2.id, m3.id]);
    } finally {
      await client.dispose();
    }
  });

  it('should skip a hidden newest message in lastMessage, except for its author', async () => {
    const { roomId, author, reader, m3 } = await roomWithMessages();
    const m4 = await send(stack, roomId, 'newest, and spam', author.token);
    await moderate('content.hidden', m4.id, new Date());
    await eventually(async () => (await history(roomId, reader.token)).chatRoom.lastMessage?.id === m3.id, 5_000, 'lastMessage to skip the hidden one');
    expect((await history(roomId)).chatRoom.lastMessage).toEqual({ id: m3.id, body: m3.body, hidden: false });
    expect((await history(roomId, author.token)).chatRoom.lastMessage).toEqual({ id: m4.id, body: 'newest, and spam', hidden: true });
    expect((await history(roomId)).chatRoom.lastSeq).toBe(4);
  });

  it('should leave hidden messages out of the messageAdded replay (but the author’s own), and keep delivering after them', async () => {
    const { roomId, author, reader, m1, m2, m3 } = await roomWithMessages();
    await moderate('content.hidden', m2.id, new Date());
    await eventually(async () => ids(await history(roomId)).page.length === 2, 5_000, 'the message hidden');
    const readerClient = wsClient(stack.wsUrl, reader.token);
    const authorClient = wsClient(stack.wsUrl, author.token);
    try {
      const after = encodeMessageCursor(0);
      const readerFeed = collect(readerClient, ADDED, { roomId, after });
      const authorFeed = collect(authorClient, ADDED, { roomId, after });
      const replayed = (await readerFeed.waitFor(2)).map((r) => r.data?.messageAdded.id);
      expect(replayed).toEqual([m1.id, m3.id]);
      expect((await authorFeed.waitFor(3)).map((r) => [r.data?.messageAdded.id, r.data?.messageAdded.hidden])).toEqual([
        [m1.id, false],
        [m2.id, true],
        [m3.id, false],
      ]);
      // A hidden newest message does not hold the room's delivery back.
      const spam = await send(stack, roomId, 'spam again', author.token);
      await readerFeed.waitFor(3);
      await moderate('content.hidden', spam.id, new Date());
      await eventually(async () => (await history(roomId)).chatRoom.lastMessage?.id === m3.id, 5_000, 'the spam hidden');
      const m5 = await send(stack, roomId, 'back to the show', reader.token);
      const all = await readerFeed.waitFor(4);
      expect(all.map((r) => r.data?.messageAdded.id)).toEqual([m1.id, m3.id, spam.id, m5.id]);

      // messageRemoved with `after`: the messages after the cursor that are hidden now come first.
      const removedFeed = collect(readerClient, REMOVED_AFTER, { roomId, after: encodeMessageCursor(1) });
      const replay = await removedFeed.waitFor(2);
      expect(replay.map((r) => [r.data?.messageRemoved.messageId, r.data?.messageRemoved.seq])).toEqual([
        [m2.id, 2],
        [spam.id, 4],
      ]);
    } finally {
      await readerClient.dispose();
      await authorClient.dispose();
    }
  });

  it('should refuse messageRemoved to non-members and ignore moderation of other content', async () => {
    const { roomId, reader, m1 } = await roomWithMessages();
    const outsider = await signUp(stack);
    const client = wsClient(stack.wsUrl, outsider.token);
    try {
      const refused = collect(client, MESSAGE_REMOVED, { roomId });
      const error = (await refused.error) as Array<{ extensions: { code: string } }>;
      expect(error[0]?.extensions.code).toBe('FORBIDDEN');
    } finally {
      await client.dispose();
    }
    // A comment with the message's id is the articles domain's business, not chat's.
    await moderate('content.hidden', m1.id, new Date(), 'COMMENT');
    const probe = await send(stack, roomId, 'probe', reader.token);
    await moderate('content.hidden', probe.id, new Date());
    await eventually(async () => !ids(await history(roomId)).page.includes(probe.id), 5_000, 'the probe hidden');
    expect(ids(await history(roomId)).page).toContain(m1.id);
    expect(codeOf(await gql(stack, 'query { chatMessageRemovals(roomId: "x", afterSeq: 0) { messageId } }'))).toBe('BAD_USER_INPUT');
  });
});
