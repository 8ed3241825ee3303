import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { ObjectId, type CommandStartedEvent, type CommandSucceededEvent } from 'mongodb';
import { ChatEventType, chatRoomChannel, decodeChatEvent, encodeMessageCursor, type ChatEvent } from '@stagelives/schema';
import { codeOf, gql, ok, signUp, startStack, type Stack } from '../support/harness.js';
import { LEAVE, PAGE, RANGE, ROOM, SEND, createRoom, join, send } from './fixtures.js';

type Fan = Awaited<ReturnType<typeof signUp>>;
let stack: Stack;
let fans: Fan[];
beforeAll(async () => {
  // The send limit has its own test (test/router/field-rate-limits.e2e.test.ts); here the same fans send hundreds.
  stack = await startStack({ FIELD_RATE_LIMIT_FACTOR: '1000' });
  fans = await Promise.all(Array.from({ length: 6 }, () => signUp(stack)));
});
afterAll(() => stack?.close());

const messages = () => stack.mongo.db('chat').collection('messages');

/** A room owned by fans[0] that `members` joined. */
async function roomWith(members: Fan[], name?: string) {
  const room = await createRoom(stack, members[0]!.token, name ? { name } : {});
  for (const m of members.slice(1)) await join(stack, m.token, room.id);
  return room;
}

describe('sending', () => {
  it('should store a cleaned body with seq 1, 2, 3 and show it as the room’s last message', async () => {
    const [a, b] = [fans[0]!, fans[1]!];
    const room = await roomWith([a, b]);
    const first = await send(stack, a.token, room.id, '  hi\r\nthere\u0007\t!  ');
    expect(first).toMatchObject({ seq: 1, cursor: encodeMessageCursor(1), body: 'hi\nthere !', author: { id: a.user.id }, room: { id: room.id } });
    expect((await send(stack, b.token, room.id, 'second')).seq).toBe(2);
    const third = await send(stack, a.token, room.id, '🎤'.repeat(2000));
    expect(third.seq).toBe(3);
    expect([...third.body]).toHaveLength(2000);
    const { chatRoom } = await ok(stack, ROOM, { id: room.id });
    expect(chatRoom).toMatchObject({ lastSeq: 3, lastMessage: { id: third.id, seq: 3 } });
    expect(chatRoom.lastActivityAt).toBe(third.createdAt);
  });

  it('should refuse empty, too long and control-only bodies with BAD_USER_INPUT', async () => {
    const a = fans[0]!;
    const room = await roomWith([a]);
    for (const body of ['', '    ', '\n\t\r\n', '\u0000\u0008\u001b', '\u202E\uFEFF', 'a'.repeat(2001), '🎤'.repeat(2001)]) {
      const res = await gql(stack, SEND, { roomId: room.id, body }, { token: a.token });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
    }
    // Counted in characters after NFC and cleaning, not UTF-16 units or bytes.
    expect((await send(stack, a.token, room.id, '한'.normalize('NFD').repeat(2000))).body).toBe('한'.repeat(2000));
    expect((await send(stack, a.token, room.id, `${'x'.repeat(2000)}\u0000\u0001`)).body).toHaveLength(2000);
    expect(await messages().countDocuments({ roomId: new ObjectId(room.id) })).toBe(2);
  });

  it('should let only members send: FORBIDDEN otherwise, NOT_FOUND for a missing room, UNAUTHENTICATED when signed out', async () => {
    const [owner, outsider] = [fans[0]!, fans[2]!];
    const room = await roomWith([owner]);
    expect(codeOf(await gql(stack, SEND, { roomId: room.id, body: 'let me in' }, { token: outsider.token }))).toBe('FORBIDDEN');
    await join(stack, outsider.token, room.id);
    expect((await send(stack, outsider.token, room.id, 'thanks')).seq).toBe(1);
    await ok(stack, LEAVE, { roomId: room.id }, { token: outsider.token });
    expect(codeOf(await gql(stack, SEND, { roomId: room.id, body: 'bye?' }, { token: outsider.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, SEND, { roomId: new ObjectId().toHexString(), body: 'anyone?' }, { token: owner.token }))).toBe('NOT_FOUND');
    expect(codeOf(await gql(stack, SEND, { roomId: 'nope', body: 'anyone?' }, { token: owner.token }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(stack, SEND, { roomId: room.id, body: 'anon' }))).toBe('UNAUTHENTICATED');
    expect(await messages().countDocuments({ roomId: new ObjectId(room.id) })).toBe(1);
  });

  it('should number 48 parallel sends from four members 1..48, each body stored once', async () => {
    const members = fans.slice(0, 4);
    const room = await roomWith(members);
    const sends = members.flatMap((m, i) => Array.from({ length: 12 }, (_, n) => ({ m, body: `member ${i} message ${n}` })));
    const results = await Promise.all(sends.map(({ m, body }) => send(stack, m.token, room.id, body)));
    expect(results.map((r) => r.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));

    const stored = await messages()
      .find({ roomId: new ObjectId(room.id) })
      .sort({ seq: 1 })
      .toArray();
    expect(stored.map((d) => d.seq)).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    expect(stored.map((d) => d.body).sort()).toEqual(sends.map((s) => s.body).sort());
    // Each reply names the seq its body was stored at.
    for (const r of results) expect(stored[r.seq - 1]).toMatchObject({ _id: new ObjectId(r.id), body: r.body });

    const { chatMessagesInRange } = await ok(stack, RANGE, { roomId: room.id, afterSeq: 0 });
    expect(chatMessagesInRange.map((m: any) => m.seq)).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    expect((await ok(stack, ROOM, { id: room.id })).chatRoom).toMatchObject({ lastSeq: 48, lastMessage: { seq: 48 } });
  });
});

describe('reading', () => {
  let roomId: string;
  const N = 130;
  beforeAll(async () => {
    // Five members, 26 messages each, one message at a time per member.
    const members = fans.slice(0, 5);
    roomId = (await roomWith(members, 'Busy')).id;
    await Promise.all(
      members.map(async (m, i) => {
        for (let n = 0; n < N / members.length; n += 1) await send(stack, m.token, roomId, `m${i}-${n}`);
      }),
    );
  });

  it('should page backwards from the newest, oldest first within a page, without gaps or repeats', async () => {
    const page = async (variables: Record<string, unknown>) => (await ok(stack, PAGE, { id: roomId, ...variables })).chatRoom.messages;
    const newest = await page({});
    expect(newest.totalCount).toBe(N);
    expect(newest.edges.map((e: any) => e.node.seq)).toEqual(Array.from({ length: 50 }, (_, i) => N - 49 + i));
    expect(newest.pageInfo).toEqual({ hasPreviousPage: true, hasNextPage: false, startCursor: encodeMessageCursor(N - 49), endCursor: encodeMessageCursor(N) });
    for (const e of newest.edges) expect(e.cursor).toBe(encodeMessageCursor(e.node.seq));

    const seen: number[] = [];
    let before: string | null = null;
    for (let pages = 0; pages < 100; pages += 1) {
      const p: any = await page({ last: 7, before });
      seen.unshift(...p.edges.map((e: any) => e.node.seq));
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => i + 1));

    const big = await page({ last: 100 });
    expect(big.edges).toHaveLength(100);
    expect(codeOf(await gql(stack, PAGE, { id: roomId, last: 101 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(stack, PAGE, { id: roomId, last: 5, first: 5 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(stack, PAGE, { id: roomId, before: 'garbage' }))).toBe('BAD_USER_INPUT');
  });

  it('should page forwards with first/after', async () => {
    const seen: number[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 100; pages += 1) {
      const p: any = (await ok(stack, PAGE, { id: roomId, first: 40, after })).chatRoom.messages;
      seen.push(...p.edges.map((e: any) => e.node.seq));
      expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  });

  it('should answer ranges ascending, at most 200, public', async () => {
    const range = async (afterSeq: number, upToSeq?: number) =>
      (await ok(stack, RANGE, { roomId, afterSeq, upToSeq })).chatMessagesInRange.map((m: any) => m.seq);
    expect(await range(10, 15)).toEqual([11, 12, 13, 14, 15]);
    expect(await range(125)).toEqual([126, 127, 128, 129, 130]);
    expect(await range(0)).toHaveLength(N);
    expect(await range(N)).toEqual([]);
    expect(await range(7, 7)).toEqual([]);
    expect(codeOf(await gql(stack, RANGE, { roomId, afterSeq: -1 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(stack, RANGE, { roomId, afterSeq: 5, upToSeq: 4 }))).toBe('BAD_USER_INPUT');
    expect((await ok(stack, RANGE, { roomId: new ObjectId().toHexString(), afterSeq: 0 })).chatMessagesInRange).toEqual([]);

    // 250 messages: a range stops at 200.
    const fan = fans[5]!;
    const big = await createRoom(stack, fan.token);
    const docs = Array.from({ length: 250 }, (_, i) => ({
      roomId: new ObjectId(big.id),
      seq: i + 1,
      body: `b${i + 1}`,
      authorId: new ObjectId(fan.user.id),
      createdAt: new Date(),
    }));
    await messages().insertMany(docs);
    const first = (await ok(stack, RANGE, { roomId: big.id, afterSeq: 0 })).chatMessagesInRange;
    expect(first.map((m: any) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect((await ok(stack, RANGE, { roomId: big.id, afterSeq: 200 })).chatMessagesInRange).toHaveLength(50);
  });
});

describe('accounts and events', () => {
  it('should keep a deleted account’s messages, by a "deleted user", and take it out of its rooms', async () => {
    const [leaver, reader] = await Promise.all([signUp(stack), signUp(stack)]);
    const room = await createRoom(stack, reader.token);
    const other = await createRoom(stack, reader.token);
    await join(stack, leaver.token, room.id);
    await join(stack, leaver.token, other.id);
    const sent = await send(stack, leaver.token, room.id, 'see you all');
    const counts = async () => {
      const data = await ok(stack, 'query($a: ID!, $b: ID!) { a: chatRoom(id: $a) { memberCount } b: chatRoom(id: $b) { memberCount } }', {
        a: room.id,
        b: other.id,
      });
      return [data.a.memberCount, data.b.memberCount];
    };
    expect(await counts()).toEqual([2, 2]);
    await ok(stack, 'mutation($p: String) { deleteAccount(password: $p) }', { p: leaver.password }, { token: leaver.token });
    // The chat domain reads user.deleted from the users stream: the account leaves both rooms.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await counts()).join() !== '1,1') await new Promise((r) => setTimeout(r, 100));
    expect(await counts()).toEqual([1, 1]);
    const { chatRoom } = await ok(
      stack,
      'query($id: ID!) { chatRoom(id: $id) { lastMessage { id body author { id nickname avatarUrl } } messages { edges { node { body author { id nickname } } } } } }',
      { id: room.id },
      { token: reader.token },
    );
    expect(chatRoom.lastMessage).toEqual({ id: sent.id, body: 'see you all', author: { id: leaver.user.id, nickname: 'deleted user', avatarUrl: null } });
    expect(chatRoom.messages.edges).toEqual([{ node: { body: 'see you all', author: { id: leaver.user.id, nickname: 'deleted user' } } }]);
  });

  it('should publish message-added on the room channel after the message is stored, and member-left on a leave', async () => {
    const [a, b] = [fans[0]!, fans[1]!];
    const room = await roomWith([a, b]);
    const channel = chatRoomChannel(`${stack.prefix}:`, room.id);
    const subscriber = new Redis(inject('redisUrl'));
    const timeline: string[] = [];
    const events: ChatEvent[] = [];
    const raws: string[] = [];
    const inserts = new Set<number>();
    const onStarted = (e: CommandStartedEvent) => {
      if (e.commandName === 'insert' && e.databaseName === `${stack.prefix}chat` && e.command.insert === 'messages') inserts.add(e.requestId);
    };
    const onSucceeded = (e: CommandSucceededEvent) => {
      if (e.commandName === 'insert' && inserts.delete(e.requestId)) timeline.push('stored');
    };
    stack.mongo.client.on('commandStarted', onStarted);
    stack.mongo.client.on('commandSucceeded', onSucceeded);
    try {
      await subscriber.subscribe(channel);
      const received = new Promise<void>((resolve) => {
        subscriber.on('message', (ch: string, raw: string) => {
          if (ch !== channel) return;
          raws.push(raw);
          const event = decodeChatEvent(raw);
          if (event) events.push(event);
          timeline.push(`published ${event?.type}`);
          if (events.length === 3) resolve();
        });
      });
      const m1 = await send(stack, a.token, room.id, 'one');
      const m2 = await send(stack, b.token, room.id, 'two');
      await ok(stack, LEAVE, { roomId: room.id }, { token: b.token });
      await ok(stack, LEAVE, { roomId: room.id }, { token: b.token }); // idempotent: no second event
      await received;
      await new Promise((r) => setTimeout(r, 100));
      expect(events).toEqual([
        { type: ChatEventType.MessageAdded, roomId: room.id, messageId: m1.id, seq: 1 },
        { type: ChatEventType.MessageAdded, roomId: room.id, messageId: m2.id, seq: 2 },
        { type: ChatEventType.MemberLeft, roomId: room.id, userId: b.user.id },
      ]);
      expect(JSON.parse(raws[0]!)).toEqual({ type: 'message-added', roomId: room.id, messageId: m1.id, seq: 1 });
      expect(timeline).toEqual(['stored', 'published message-added', 'stored', 'published message-added', 'published member-left']);
    } finally {
      stack.mongo.client.off('commandStarted', onStarted);
      stack.mongo.client.off('commandSucceeded', onSucceeded);
      subscriber.disconnect();
    }
  });
});
