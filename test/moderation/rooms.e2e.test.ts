// Room moderation through the router: the room's owner and staff mute and remove members
// (contract/moderation.graphql's MuteChatMember and RemoveChatMember, verbatim), the refusals,
// and the audit entries on the real `events:audit` stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAuditEvent, auditEventsStream, type AuditEntryPayload } from '@stagelives/schema';
import { codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { MESSAGE_ADDED, SEND, collect, eventually, join, roomWithMember, send, wsClient } from '../support/live.js';

const MUTE = `mutation MuteChatMember($roomId: ID!, $userId: ID!, $minutes: Int!) {
  muteChatMember(roomId: $roomId, userId: $userId, minutes: $minutes) { id memberCount }
}`;
const REMOVE = `mutation RemoveChatMember($roomId: ID!, $userId: ID!) {
  removeChatMember(roomId: $roomId, userId: $userId) { id memberCount }
}`;
const LEAVE = 'mutation($roomId: ID!) { leaveChatRoom(roomId: $roomId) { id } }';
const ROOM = 'query($id: ID!) { chatRoom(id: $id) { id memberCount viewerIsMember } }';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ WS_SESSION_CHECK_SECONDS: '30', CHAT_RESYNC_SECONDS: '600' });
}, 60_000);
afterAll(() => stack?.close());

/** The audit entries on the stack's `events:audit` stream (XRANGE). */
async function auditEntries(): Promise<AuditEntryPayload[]> {
  const entries = (await stack.redis.xrange(auditEventsStream(stack.env.REDIS_PREFIX!), '-', '+')) as Array<[string, string[]]>;
  return entries.flatMap(([, fields]) => {
    const event = decodeAuditEvent(fields);
    return event ? [event.payload] : [];
  });
}

/** A room with its owner and one more member. */
async function roomWithTwo() {
  const { roomId, owner } = await roomWithMember(stack, 'moderated room');
  const member = await signUp(stack);
  await join(stack, roomId, member.token);
  return { roomId, owner, member };
}

describe('muteChatMember', () => {
  it('should refuse a muted member’s sends with FORBIDDEN, the time left and mutedUntil, and record the mute in the audit trail', async () => {
    const { roomId, owner, member } = await roomWithTwo();
    await send(stack, roomId, 'before the mute', member.token);
    const before = Date.now();
    const { muteChatMember } = await ok(stack, MUTE, { roomId, userId: member.user.id, minutes: 30 }, { token: owner.token });
    expect(muteChatMember).toEqual({ id: roomId, memberCount: 2 });

    const refused = await gql(stack, SEND, { roomId, body: 'let me talk' }, { token: member.token });
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toMatch(/muted in this room for 30 more minutes/);
    const mutedUntil = Date.parse(String(refused.errors?.[0]?.extensions?.mutedUntil));
    expect(mutedUntil).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1_000);
    expect(mutedUntil).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 1_000);
    // The owner still talks; the mute is this member's, in this room only.
    await send(stack, roomId, 'the owner is not muted', owner.token);
    const other = await roomWithMember(stack, 'another room');
    await join(stack, other.roomId, member.token);
    await send(stack, other.roomId, 'not muted here', member.token);

    await eventually(
      async () => (await auditEntries()).some((e) => e.action === 'CHAT_MEMBER_MUTED' && e.targetId === member.user.id),
      5_000,
      'the audit entry',
    );
    const entry = (await auditEntries()).find((e) => e.action === 'CHAT_MEMBER_MUTED' && e.targetId === member.user.id)!;
    expect(entry).toMatchObject({ actorId: owner.user.id, targetType: 'USER', details: { roomId, minutes: '30' } });
  });

  it('should keep the mute when the member leaves and joins again', async () => {
    const { roomId, owner, member } = await roomWithTwo();
    await ok(stack, MUTE, { roomId, userId: member.user.id, minutes: 5 }, { token: owner.token });
    await ok(stack, LEAVE, { roomId }, { token: member.token });
    await join(stack, roomId, member.token);
    const refused = await gql(stack, SEND, { roomId, body: 'I am back' }, { token: member.token });
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toMatch(/5 more minutes/);
    expect(refused.errors?.[0]?.extensions?.mutedUntil).toEqual(expect.any(String));
  });

  it('should refuse a plain member, an anonymous caller, an unknown room, muting oneself and minutes outside 1..10080', async () => {
    const { roomId, owner, member } = await roomWithTwo();
    const third = await signUp(stack);
    await join(stack, roomId, third.token);
    // A member who does not own the room (IDOR): FORBIDDEN, and the target can still send.
    expect(codeOf(await gql(stack, MUTE, { roomId, userId: third.user.id, minutes: 10 }, { token: member.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, REMOVE, { roomId, userId: third.user.id }, { token: member.token }))).toBe('FORBIDDEN');
    await send(stack, roomId, 'still here', third.token);
    expect((await ok(stack, ROOM, { id: roomId })).chatRoom.memberCount).toBe(3);
    expect(codeOf(await gql(stack, MUTE, { roomId, userId: third.user.id, minutes: 10 }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(stack, MUTE, { roomId: '0000000000000000000000aa', userId: third.user.id, minutes: 10 }, { token: owner.token }))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(await gql(stack, REMOVE, { roomId: '0000000000000000000000aa', userId: third.user.id }, { token: owner.token }))).toBe('NOT_FOUND');
    for (const minutes of [0, -5, 10_081]) {
      expect(codeOf(await gql(stack, MUTE, { roomId, userId: third.user.id, minutes }, { token: owner.token }))).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(await gql(stack, MUTE, { roomId, userId: owner.user.id, minutes: 10 }, { token: owner.token }))).toBe('BAD_USER_INPUT');
    await ok(stack, MUTE, { roomId, userId: third.user.id, minutes: 10_080 }, { token: owner.token });
    const refused = await gql(stack, SEND, { roomId, body: 'a week' }, { token: third.token });
    expect(refused.errors?.[0]?.message).toMatch(/10080 more minutes/);
  });

  it('should let staff (an admin) mute and remove in a room they do not own', async () => {
    const admin = await signUpAdmin(stack);
    const { roomId, member } = await roomWithTwo();
    await ok(stack, MUTE, { roomId, userId: member.user.id, minutes: 1 }, { token: admin.token });
    const refused = await gql(stack, SEND, { roomId, body: 'hi' }, { token: member.token });
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toMatch(/1 more minute\b/);
    const { removeChatMember } = await ok(stack, REMOVE, { roomId, userId: member.user.id }, { token: admin.token });
    expect(removeChatMember).toEqual({ id: roomId, memberCount: 1 });
    await eventually(
      async () => (await auditEntries()).some((e) => e.action === 'CHAT_MEMBER_REMOVED' && e.targetId === member.user.id && e.actorId === admin.user.id),
      5_000,
      'the removal’s audit entry',
    );
  });
});

describe('removeChatMember', () => {
  it('should end the membership and the member’s open subscription, and let them join again and send', async () => {
    const { roomId, owner, member } = await roomWithTwo();
    const client = wsClient(stack.wsUrl, member.token);
    const ownerClient = wsClient(stack.wsUrl, owner.token);
    try {
      const feed = collect(client, MESSAGE_ADDED, { roomId });
      const ownerFeed = collect(ownerClient, MESSAGE_ADDED, { roomId });
      await eventually(() => stack.router.subscriptions.watchedRooms > 0, 5_000, 'the room watched');
      // Both subscriptions are live once a message reaches them.
      await eventually(
        async () => {
          await send(stack, roomId, 'ping', owner.token);
          await new Promise((r) => setTimeout(r, 100));
          return feed.results.length > 0 && ownerFeed.results.length > 0;
        },
        5_000,
        'both subscriptions live',
      );

      const { removeChatMember } = await ok(stack, REMOVE, { roomId, userId: member.user.id }, { token: owner.token });
      expect(removeChatMember).toEqual({ id: roomId, memberCount: 1 });
      await feed.completed;
      expect((await ok(stack, ROOM, { id: roomId }, { token: member.token })).chatRoom).toMatchObject({ memberCount: 1, viewerIsMember: false });
      expect(codeOf(await gql(stack, SEND, { roomId, body: 'still here?' }, { token: member.token }))).toBe('FORBIDDEN');

      // The owner's subscription goes on.
      const seen = ownerFeed.results.length;
      await send(stack, roomId, 'after the removal', owner.token);
      await ownerFeed.waitFor(seen + 1);

      // Removed, not banned: they join again and send.
      await join(stack, roomId, member.token);
      await send(stack, roomId, 'I am back', member.token);
      expect((await ok(stack, ROOM, { id: roomId })).chatRoom.memberCount).toBe(2);
      const again = await ok(stack, REMOVE, { roomId, userId: member.user.id }, { token: owner.token });
      expect(again.removeChatMember.memberCount).toBe(1);
      const removals = (await auditEntries()).filter((e) => e.action === 'CHAT_MEMBER_REMOVED' && e.targetId === member.user.id);
      expect(removals).toHaveLength(2);
      expect(removals[0]).toMatchObject({ actorId: owner.user.id, targetType: 'USER', details: { roomId } });
    } finally {
      await client.dispose();
      await ownerClient.dispose();
    }
  });
});
