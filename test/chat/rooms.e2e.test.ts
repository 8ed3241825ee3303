import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { CREATE_ROOM, JOIN, LEAVE, ROOM, createConcert, createRoom, join, send } from './fixtures.js';

type Fan = Awaited<ReturnType<typeof signUp>>;
let stack: Stack;
let admin: Fan;
let fans: Fan[];
beforeAll(async () => {
  stack = await startStack();
  admin = await signUpAdmin(stack);
  fans = await Promise.all(Array.from({ length: 12 }, () => signUp(stack)));
});
afterAll(() => stack?.close());

const shuffled = <T>(items: T[]) =>
  items
    .map((v) => [Math.random(), v] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => v);
const LIST =
  'query($first: Int, $after: String, $concertId: ID) { chatRooms(first: $first, after: $after, concertId: $concertId) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name lastActivityAt } } } }';

describe('rooms', () => {
  it('should create a room with a clean name, the creator as its one member', async () => {
    const fan = fans[0]!;
    const room = await createRoom(stack, fan.token, { name: '  After\tparty \n crew\u0000 ' });
    expect(room).toEqual({ id: expect.any(String), name: 'After party crew', memberCount: 1, viewerIsMember: true, concert: null });
    const { chatRoom } = await ok(stack, ROOM, { id: room.id });
    expect(chatRoom).toMatchObject({ id: room.id, memberCount: 1, viewerIsMember: false, lastSeq: 0, lastMessage: null, concert: null });
    expect(chatRoom.lastActivityAt).toBe(chatRoom.createdAt);
    // No concert: the field is absent in the stored document (the unique concert index is sparse).
    const stored = await stack.mongo
      .db('chat')
      .collection('rooms')
      .findOne({ _id: new ObjectId(room.id) });
    expect(stored).not.toHaveProperty('concertId');
  });

  it('should refuse bad names and ids, and anonymous viewers', async () => {
    const fan = fans[0]!;
    for (const name of ['', '   ', '\u0000\u202E', 'x'.repeat(81)]) {
      const res = await gql(stack, CREATE_ROOM, { input: { name } }, { token: fan.token });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    }
    expect((await createRoom(stack, fan.token, { name: '가'.repeat(80) })).name).toHaveLength(80);
    const badConcert = await gql(stack, CREATE_ROOM, { input: { name: 'x', concertId: 'nope' } }, { token: fan.token });
    expect(badConcert.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.concertId' });
    expect(codeOf(await gql(stack, CREATE_ROOM, { input: { name: 'anon' } }))).toBe('UNAUTHENTICATED');
    const room = await createRoom(stack, fan.token);
    expect(codeOf(await gql(stack, JOIN, { roomId: room.id }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(stack, LEAVE, { roomId: room.id }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(stack, JOIN, { roomId: new ObjectId().toHexString() }, { token: fan.token }))).toBe('NOT_FOUND');
    expect(codeOf(await gql(stack, LEAVE, { roomId: new ObjectId().toHexString() }, { token: fan.token }))).toBe('NOT_FOUND');
    expect(codeOf(await gql(stack, JOIN, { roomId: 'not-an-id' }, { token: fan.token }))).toBe('BAD_USER_INPUT');
    expect((await ok(stack, ROOM, { id: new ObjectId().toHexString() })).chatRoom).toBeNull();
    expect((await ok(stack, ROOM, { id: 'not-an-id' })).chatRoom).toBeNull();
  });

  it('should keep one room per concert: a second create returns it and joins the viewer, also when creates race', async () => {
    const concert = await createConcert(stack, admin.token);
    const first = await createRoom(stack, fans[0]!.token, { name: 'First name', concertId: concert.id });
    expect(first).toMatchObject({ name: 'First name', memberCount: 1, concert: { id: concert.id } });
    const second = await createRoom(stack, fans[1]!.token, { name: 'Other name', concertId: concert.id });
    expect(second).toEqual({ id: first.id, name: 'First name', memberCount: 2, viewerIsMember: true, concert: { id: concert.id } });

    const racing = await createConcert(stack, admin.token);
    const created = await Promise.all(fans.map((f, i) => createRoom(stack, f.token, { name: `Race ${i}`, concertId: racing.id })));
    expect(new Set(created.map((r) => r.id)).size).toBe(1);
    expect(created.every((r) => r.viewerIsMember)).toBe(true);
    const { chatRoom } = await ok(stack, ROOM, { id: created[0]!.id });
    expect(chatRoom.memberCount).toBe(fans.length);
    expect(
      await stack.mongo
        .db('chat')
        .collection('rooms')
        .countDocuments({ concertId: new ObjectId(racing.id) }),
    ).toBe(1);

    const { chatRooms } = await ok(stack, LIST, { first: 10, concertId: racing.id });
    expect(chatRooms.totalCount).toBe(1);
    expect(chatRooms.edges.map((e: any) => e.node.id)).toEqual([chatRoom.id]);
    expect((await ok(stack, LIST, { first: 10, concertId: new ObjectId().toHexString() })).chatRooms).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('should join and leave idempotently', async () => {
    const [owner, fan] = [fans[2]!, fans[3]!];
    const room = await createRoom(stack, owner.token);
    expect(await join(stack, fan.token, room.id)).toEqual({ id: room.id, memberCount: 2, viewerIsMember: true });
    expect(await join(stack, fan.token, room.id)).toEqual({ id: room.id, memberCount: 2, viewerIsMember: true });
    expect((await ok(stack, LEAVE, { roomId: room.id }, { token: fan.token })).leaveChatRoom).toEqual({ id: room.id, memberCount: 1, viewerIsMember: false });
    expect((await ok(stack, LEAVE, { roomId: room.id }, { token: fan.token })).leaveChatRoom).toEqual({ id: room.id, memberCount: 1, viewerIsMember: false });
    // The creator may leave too; the room stays.
    expect((await ok(stack, LEAVE, { roomId: room.id }, { token: owner.token })).leaveChatRoom).toEqual({ id: room.id, memberCount: 0, viewerIsMember: false });
    expect((await ok(stack, ROOM, { id: room.id }, { token: owner.token })).chatRoom).toMatchObject({ memberCount: 0, viewerIsMember: false });
  });

  it('should count members exactly under parallel joins and leaves', async () => {
    const room = await createRoom(stack, admin.token);
    // Every fan joins three times at once: 36 requests, 12 new members.
    await Promise.all(shuffled(fans.flatMap((f) => [f, f, f])).map((f) => join(stack, f.token, room.id)));
    expect((await ok(stack, ROOM, { id: room.id })).chatRoom.memberCount).toBe(13);

    // Half leave (three times each) while the others join again (twice each), all at once.
    const leaving = fans.slice(0, 6);
    const staying = fans.slice(6);
    await Promise.all(
      shuffled([...leaving.flatMap((f) => [f, f, f]).map((f) => ({ f, op: LEAVE })), ...staying.flatMap((f) => [f, f]).map((f) => ({ f, op: JOIN }))]).map(
        ({ f, op }) => ok(stack, op, { roomId: room.id }, { token: f.token }),
      ),
    );
    expect((await ok(stack, ROOM, { id: room.id })).chatRoom.memberCount).toBe(7);
    for (const f of fans) expect((await ok(stack, ROOM, { id: room.id }, { token: f.token })).chatRoom.viewerIsMember).toBe(staying.includes(f));
    expect(
      await stack.mongo
        .db('chat')
        .collection('memberships')
        .countDocuments({ roomId: new ObjectId(room.id) }),
    ).toBe(7);
  });

  it('should list rooms by latest activity, newest first, paging without gaps or repeats', async () => {
    const owner = fans[4]!;
    const [a, b, c] = [
      await createRoom(stack, owner.token, { name: 'A' }),
      await createRoom(stack, owner.token, { name: 'B' }),
      await createRoom(stack, owner.token, { name: 'C' }),
    ];
    const order = async () => {
      const ids: string[] = [];
      let after: string | null = null;
      let total = 0;
      for (;;) {
        const { chatRooms }: any = await ok(stack, LIST, { first: 4, after });
        total = chatRooms.totalCount;
        ids.push(...chatRooms.edges.map((e: any) => e.node.id));
        if (!chatRooms.pageInfo.hasNextPage) break;
        after = chatRooms.pageInfo.endCursor;
      }
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(total);
      return ids.filter((id) => [a.id, b.id, c.id].includes(id));
    };
    expect(await order()).toEqual([c.id, b.id, a.id]);
    await send(stack, owner.token, a.id, 'wake up');
    expect(await order()).toEqual([a.id, c.id, b.id]);
    const { chatRoom } = await ok(stack, ROOM, { id: a.id });
    expect(chatRoom.lastSeq).toBe(1);
    expect(new Date(chatRoom.lastActivityAt).getTime()).toBeGreaterThan(new Date(chatRoom.createdAt).getTime());
    expect(codeOf(await gql(stack, LIST, { first: 101 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(stack, LIST, { first: 5, after: 'garbage' }))).toBe('BAD_USER_INPUT');
  });
});
