import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, signUp, startStack, type Stack } from '../support/harness.js';
import { createRoom, join, send } from './fixtures.js';

const LIST = `query($first: Int) {
  chatRooms(first: $first) {
    totalCount
    edges { node { id name memberCount viewerIsMember lastSeq lastMessage { id seq body author { id } } } }
  }
}`;

let stack: Stack;
let viewer: Awaited<ReturnType<typeof signUp>>;
const rooms: string[] = [];
beforeAll(async () => {
  stack = await startStack({ FIELD_RATE_LIMIT_FACTOR: '1000' });
  const [owner, fan] = await Promise.all([signUp(stack), signUp(stack)]);
  viewer = fan;
  for (let n = 0; n < 20; n += 1) rooms.push((await createRoom(stack, owner.token, { name: `Room ${n}` })).id);
  // Every second room has the viewer as a member; room n has n % 3 messages.
  await Promise.all(rooms.filter((_, n) => n % 2 === 0).map((id) => join(stack, fan.token, id)));
  for (const [n, id] of rooms.entries()) for (let m = 0; m < n % 3; m += 1) await send(stack, owner.token, id, `room ${n} message ${m + 1}`);
});
afterAll(() => stack?.close());

describe('room list cost', () => {
  it('should answer 20 rooms with memberCount, viewerIsMember and lastMessage in as many database commands as 5', async () => {
    const measure = async (first: number) => {
      stack.commands.reset();
      const { chatRooms } = await ok(stack, LIST, { first }, { token: viewer.token });
      return {
        chatRooms,
        commands: stack.commands
          .byDomain('chat')
          .map((e) => e.commandName)
          .sort(),
      };
    };
    const small = await measure(5);
    const large = await measure(20);

    expect(large.chatRooms.totalCount).toBe(20);
    expect(large.chatRooms.edges).toHaveLength(20);
    for (const { node } of large.chatRooms.edges) {
      const n = rooms.indexOf(node.id);
      expect(node.memberCount).toBe(n % 2 === 0 ? 2 : 1);
      expect(node.viewerIsMember).toBe(n % 2 === 0);
      expect(node.lastSeq).toBe(n % 3);
      expect(node.lastMessage?.body ?? null).toBe(n % 3 ? `room ${n} message ${n % 3}` : null);
    }
    // rooms: the page and its count; memberships: the counts ($group) and the viewer's; messages: the newest per room.
    expect(large.commands).toEqual(['aggregate', 'aggregate', 'find', 'find', 'find']);
    expect(small.commands).toEqual(large.commands);
  });
});
