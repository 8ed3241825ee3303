// Mechanisms that hand one answer to several viewers — subscription groups and the response
// cache — tried with two and three viewers at once, an admin first, through the real router.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, join, send, wsClient } from '../support/live.js';
import { gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';

// The reproduction of the issue: the author's owner-only fields in a shared subscription payload.
const PRIVATE_PAYLOAD = /* GraphQL */ `
  subscription P($roomId: ID!) {
    messageAdded(roomId: $roomId) { id body author { id notifications { totalCount } scheduledNotifications { id } } }
  }
`;
const PUBLIC_PAYLOAD = /* GraphQL */ `
  subscription Q($roomId: ID!) {
    messageAdded(roomId: $roomId) { id body author { id nickname } }
  }
`;

type Fan = Awaited<ReturnType<typeof signUp>>;

describe('Answers shared between viewers', () => {
  let stack: Stack;
  let admin: Fan;
  let author: Fan;
  let member: Fan;
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack();
    admin = await signUpAdmin(stack);
    [author, member] = [await signUp(stack), await signUp(stack)];
    const { createChatRoom } = await ok(
      stack,
      'mutation($input: CreateChatRoomInput!) { createChatRoom(input: $input) { id } }',
      { input: { name: 'shared answers' } },
      { token: author.token },
    );
    roomId = createChatRoom.id;
    for (const fan of [admin, member]) await join(stack, roomId, fan.token);
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Subscribes one viewer after another (the first one forms the group), each subscription live before the next. */
  async function subscribeInOrder(fans: Fan[], query: string) {
    const clients = fans.map((fan) => wsClient(stack.wsUrl, fan.token));
    const feeds = [];
    for (const client of clients) {
      feeds.push(collect(client, query, { roomId }));
      await new Promise((r) => setTimeout(r, 250));
    }
    return { feeds, dispose: () => Promise.all(clients.map((c) => c.dispose())) };
  }

  it.each([
    ['an admin, then a member, then the author', ['admin', 'member', 'author']],
    ['an admin, then the author, then a member', ['admin', 'author', 'member']],
  ] as const)('should deliver the author’s owner-only fields to the author and the admin only, subscribed in order: %s', async (_, order) => {
    const fans = { admin, member, author };
    const { feeds, dispose } = await subscribeInOrder(
      order.map((who) => fans[who]),
      PRIVATE_PAYLOAD,
    );
    try {
      const sent = await send(stack, roomId, `private parts ${order.join(' ')}`, author.token);
      const feedOf = (who: keyof typeof fans) => feeds[order.indexOf(who)]!;
      const [toAdmin, toMember, toAuthor] = [feedOf('admin'), feedOf('member'), feedOf('author')];
      for (const own of await Promise.all([toAdmin, toAuthor].map((f) => f.waitFor(1).then((r) => r[0]!)))) {
        expect(own.errors).toBeUndefined();
        expect(own.data?.messageAdded).toMatchObject({
          id: sent.id,
          author: { id: author.user.id, notifications: { totalCount: 0 }, scheduledNotifications: [] },
        });
      }
      // The member is refused the author's notifications: the subscription ends with FORBIDDEN and
      // nothing of them reaches the socket.
      const refusal = (await Promise.race([
        toMember.error,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`the member was not refused; got ${JSON.stringify(toMember.results)}`)), 10_000)),
      ])) as Array<{
        extensions?: { code?: string };
      }>;
      expect(refusal.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
      expect(toMember.results).toEqual([]);
      expect(JSON.stringify(refusal)).not.toContain('totalCount');
    } finally {
      await dispose();
    }
  });

  it('should still resolve a payload without viewer-dependent fields once for members of the same role', async () => {
    const third = await signUp(stack);
    await join(stack, roomId, third.token);
    const alone = await subscribeInOrder([member], PUBLIC_PAYLOAD);
    await send(stack, roomId, 'warm-up', author.token);
    await alone.feeds[0]!.waitFor(1);
    stack.fetches.reset();
    await send(stack, roomId, 'one reader', author.token);
    await alone.feeds[0]!.waitFor(2);
    const withOne = stack.fetches.list.length;
    await alone.dispose();

    const three = await subscribeInOrder([member, third, author], PUBLIC_PAYLOAD);
    await send(stack, roomId, 'warm-up 2', author.token);
    await Promise.all(three.feeds.map((f) => f.waitFor(1)));
    stack.fetches.reset();
    await send(stack, roomId, 'three readers', author.token);
    const results = await Promise.all(three.feeds.map((f) => f.waitFor(2).then((r) => r[1]!)));
    expect(stack.fetches.list.length).toBe(withOne);
    for (const r of results) expect(r.data?.messageAdded).toMatchObject({ body: 'three readers', author: { id: author.user.id } });
    await three.dispose();
  });

  it('should never hand one viewer’s cached answer to another, by bearer token or by cookie, an admin asking first', async () => {
    const { createConcert } = await ok(
      stack,
      'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
      { input: { title: 'Cache show', artist: 'IU', venue: 'KSPO Dome', startsAt: new Date(Date.now() + 72 * 3_600_000).toISOString() } },
      { token: admin.token },
    );
    await ok(stack, 'mutation($id: ID!) { likeConcert(id: $id) { id } }', { id: createConcert.id }, { token: author.token });
    const login = await gql(stack, 'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { user { id } } }', {
      email: member.email,
      password: member.password,
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^sl_session=/);

    const USER = 'query U($id: ID!) { user(id: $id) { id nickname email } }';
    const CONCERT = 'query C($id: ID!) { concert(id: $id) { id title likeCount viewerHasLiked } }';
    const as = { admin: { token: admin.token }, member: { cookie }, author: { token: author.token }, anonymous: {} };
    for (let round = 0; round < 2; round += 1) {
      const users = Object.fromEntries(
        await Promise.all(Object.entries(as).map(async ([who, auth]) => [who, (await ok(stack, USER, { id: author.user.id }, auth)).user.email])),
      );
      expect(users).toEqual({ admin: author.email, member: null, author: author.email, anonymous: null });
      const concerts = Object.fromEntries(
        await Promise.all(
          Object.entries(as).map(async ([who, auth]) => [who, (await ok(stack, CONCERT, { id: createConcert.id }, auth)).concert.viewerHasLiked]),
        ),
      );
      expect(concerts).toEqual({ admin: false, member: false, author: true, anonymous: false });
    }
    // The public part is still shared: the same page without viewer fields is served from the cache.
    const PUBLIC = 'query P($id: ID!) { concert(id: $id) { id title likeCount } }';
    await ok(stack, PUBLIC, { id: createConcert.id }, { token: admin.token });
    const hits = stack.router.responseCache.stats.hits;
    await ok(stack, PUBLIC, { id: createConcert.id }, { cookie });
    expect(stack.router.responseCache.stats.hits).toBe(hits + 1);
  });
});
