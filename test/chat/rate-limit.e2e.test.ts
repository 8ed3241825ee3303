import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { codeOf, gql, signUp, startStack, type Stack } from '../support/harness.js';
import { SEND, createRoom, join, send } from './fixtures.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ CHAT_SEND_LIMIT: '3', CHAT_SEND_WINDOW_SECONDS: '10' });
});
afterAll(() => stack?.close());

describe('send rate limit', () => {
  it('should refuse a user’s fourth message in the window with RATE_LIMITED and retryAfter, per user, storing nothing', async () => {
    const [fan, other, outsider] = await Promise.all([signUp(stack), signUp(stack), signUp(stack)]);
    const room = await createRoom(stack, fan.token);
    await join(stack, other.token, room.id);

    // Refused sends (not a member, bad body) use up nothing.
    expect(codeOf(await gql(stack, SEND, { roomId: room.id, body: 'hi' }, { token: outsider.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, SEND, { roomId: room.id, body: '  ' }, { token: fan.token }))).toBe('BAD_USER_INPUT');

    for (const body of ['one', 'two', 'three']) await send(stack, fan.token, room.id, body);
    const limited = await gql(stack, SEND, { roomId: room.id, body: 'four' }, { token: fan.token });
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    const retryAfter = limited.errors?.[0]?.extensions?.retryAfter as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);

    // The limit is per user, across rooms: the other member still sends; the limited user cannot elsewhere either.
    expect((await send(stack, other.token, room.id, 'me too')).seq).toBe(4);
    const elsewhere = await createRoom(stack, fan.token);
    expect(codeOf(await gql(stack, SEND, { roomId: elsewhere.id, body: 'here?' }, { token: fan.token }))).toBe('RATE_LIMITED');

    const stored = await stack.mongo
      .db('chat')
      .collection('messages')
      .find({ roomId: new ObjectId(room.id) })
      .sort({ seq: 1 })
      .toArray();
    expect(stored.map((m) => m.body)).toEqual(['one', 'two', 'three', 'me too']);
    // The count lives in Redis under the stack's prefix.
    expect(await stack.redis.exists(`${stack.prefix}:chat:send:${fan.user.id}`)).toBe(1);
  });
});
