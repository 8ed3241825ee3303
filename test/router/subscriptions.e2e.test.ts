import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from 'graphql-ws';
import { codeOf, gql, ok, signUp, startStack, type Stack } from '../support/harness.js';
import { MESSAGE_ADDED, collect, eventually, join, rawSocket, roomWithMember, send, wsClient } from '../support/live.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    WS_SESSION_CHECK_SECONDS: '0.5',
    WS_INIT_TIMEOUT_MS: '400',
    CORS_ORIGINS: 'https://app.stagelives.test',
    FIELD_RATE_LIMIT_FACTOR: '1000',
    CHAT_RESYNC_SECONDS: '600',
  });
});
afterAll(() => stack?.close());

const authInit = (token: string) => ({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });

describe('subscriptions: authentication', () => {
  it('should close with 4403 without a session, or with an unknown one', async () => {
    for (const payload of [{}, { authorization: 'Bearer not-a-real-session-token-000000' }]) {
      const socket = rawSocket(stack.wsUrl);
      await socket.opened;
      socket.send({ type: 'connection_init', payload });
      expect((await socket.closed).code).toBe(CloseCode.Forbidden);
    }
  });

  it('should accept the session cookie sent on the upgrade request', async () => {
    const fan = await signUp(stack);
    const socket = rawSocket(stack.wsUrl, { headers: { cookie: `sl_session=${fan.token}` } });
    await socket.opened;
    socket.send({ type: 'connection_init' });
    await socket.waitMessage((m) => m.type === 'connection_ack');
    socket.ws.close();
  });

  it('should refuse an upgrade from a browser origin outside CORS_ORIGINS, and take a listed one', async () => {
    const fan = await signUp(stack);
    const evil = rawSocket(stack.wsUrl, { headers: { origin: 'https://evil.example' } });
    await expect(evil.opened).rejects.toMatchObject({ status: 403 });
    const good = rawSocket(stack.wsUrl, { headers: { origin: 'https://app.stagelives.test' } });
    await good.opened;
    good.send(authInit(fan.token));
    await good.waitMessage((m) => m.type === 'connection_ack');
    good.ws.close();
  });

  it('should close the sockets of a user who logs out, within the session check period', async () => {
    const fan = await signUp(stack);
    const socket = rawSocket(stack.wsUrl);
    await socket.opened;
    socket.send(authInit(fan.token));
    await socket.waitMessage((m) => m.type === 'connection_ack');
    await ok(stack, 'mutation { logOut }', {}, { token: fan.token });
    const started = Date.now();
    expect((await socket.closed).code).toBe(CloseCode.Forbidden);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('subscriptions: the graphql-transport-ws protocol', () => {
  it('should close 4400 on a malformed message, 4401 on subscribe before ack, 4429 on a second init, 4409 on a duplicate id, 4408 without init', async () => {
    const fan = await signUp(stack);
    const { roomId } = await roomWithMember(stack);
    await join(stack, roomId, fan.token);

    const malformed = rawSocket(stack.wsUrl);
    await malformed.opened;
    malformed.send('{"type": 42');
    expect((await malformed.closed).code).toBe(CloseCode.BadRequest);

    const early = rawSocket(stack.wsUrl);
    await early.opened;
    early.send({ id: '1', type: 'subscribe', payload: { query: MESSAGE_ADDED, variables: { roomId } } });
    expect((await early.closed).code).toBe(CloseCode.Unauthorized);

    const twice = rawSocket(stack.wsUrl);
    await twice.opened;
    twice.send(authInit(fan.token));
    await twice.waitMessage((m) => m.type === 'connection_ack');
    twice.send(authInit(fan.token));
    expect((await twice.closed).code).toBe(CloseCode.TooManyInitialisationRequests);

    const duplicate = rawSocket(stack.wsUrl);
    await duplicate.opened;
    duplicate.send(authInit(fan.token));
    await duplicate.waitMessage((m) => m.type === 'connection_ack');
    duplicate.send({ id: 'a', type: 'subscribe', payload: { query: MESSAGE_ADDED, variables: { roomId } } });
    duplicate.send({ id: 'a', type: 'subscribe', payload: { query: MESSAGE_ADDED, variables: { roomId } } });
    expect((await duplicate.closed).code).toBe(CloseCode.SubscriberAlreadyExists);

    const silent = rawSocket(stack.wsUrl);
    await silent.opened;
    expect((await silent.closed).code).toBe(CloseCode.ConnectionInitialisationTimeout);
  });

  it('should answer pings with pongs and keep a client with keep-alive connected', async () => {
    const fan = await signUp(stack);
    const socket = rawSocket(stack.wsUrl);
    await socket.opened;
    socket.send(authInit(fan.token));
    await socket.waitMessage((m) => m.type === 'connection_ack');
    socket.send({ type: 'ping', payload: { n: 7 } });
    expect(await socket.waitMessage((m) => m.type === 'pong')).toEqual({ type: 'pong', payload: { n: 7 } });
    socket.ws.close();

    let pongs = 0;
    const client = wsClient(stack.wsUrl, fan.token, { keepAlive: 100, on: { pong: () => void (pongs += 1) } });
    const { roomId } = await roomWithMember(stack);
    await join(stack, roomId, fan.token);
    const feed = collect(client, MESSAGE_ADDED, { roomId });
    await eventually(() => pongs >= 3, 5_000, 'three pongs');
    await send(stack, roomId, 'still here', fan.token);
    const [first] = await feed.waitFor(1);
    expect(first?.data?.messageAdded.body).toBe('still here');
    await client.dispose();
  });

  it('should refuse queries and mutations over the socket, operations over the limits, and a 21st subscription', async () => {
    const fan = await signUp(stack);
    const { roomId } = await roomWithMember(stack);
    await join(stack, roomId, fan.token);
    const socket = rawSocket(stack.wsUrl);
    await socket.opened;
    socket.send(authInit(fan.token));
    await socket.waitMessage((m) => m.type === 'connection_ack');

    socket.send({ id: 'q', type: 'subscribe', payload: { query: '{ chatRooms(first: 1) { totalCount } }' } });
    const query = await socket.waitMessage((m) => m.id === 'q');
    expect(query.type).toBe('error');
    expect(query.payload[0].message).toMatch(/Only subscriptions/);

    const deep = `subscription($roomId: ID!) { messageAdded(roomId: $roomId) { room { lastMessage { room { lastMessage { room { lastMessage { room { lastMessage { room { lastMessage { room { id } } } } } } } } } } } } }`;
    socket.send({ id: 'deep', type: 'subscribe', payload: { query: deep, variables: { roomId } } });
    const tooDeep = await socket.waitMessage((m) => m.id === 'deep');
    expect(tooDeep.type).toBe('error');
    expect(tooDeep.payload[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');

    for (let i = 0; i < 20; i += 1) socket.send({ id: `s${i}`, type: 'subscribe', payload: { query: MESSAGE_ADDED, variables: { roomId } } });
    await eventually(() => stack.router.subscriptions.watchedRooms >= 1, 5_000, 'the room to be watched');
    await new Promise((r) => setTimeout(r, 300));
    socket.send({ id: 's20', type: 'subscribe', payload: { query: MESSAGE_ADDED, variables: { roomId } } });
    const refused = await socket.waitMessage((m) => m.id === 's20');
    expect(refused.payload[0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(socket.messages.filter((m) => m.type === 'error' && /^s\d+$/.test(m.id) && m.id !== 's20')).toEqual([]);
    socket.ws.close();
  });
});

describe('subscriptions: membership and delivery', () => {
  it('should refuse non-members with FORBIDDEN and end the subscription of a member who leaves', async () => {
    const { roomId, owner } = await roomWithMember(stack);
    const outsider = await signUp(stack);
    const client = wsClient(stack.wsUrl, outsider.token);
    const refused = collect(client, MESSAGE_ADDED, { roomId });
    const error = (await refused.error) as Array<{ extensions: { code: string } }>;
    expect(error[0]?.extensions.code).toBe('FORBIDDEN');

    await join(stack, roomId, outsider.token);
    const live = collect(client, MESSAGE_ADDED, { roomId });
    await eventually(() => stack.router.subscriptions.watchedRooms > 0, 5_000, 'a watched room');
    await send(stack, roomId, 'welcome', owner.token);
    await live.waitFor(1);
    await ok(stack, 'mutation($roomId: ID!) { leaveChatRoom(roomId: $roomId) { id } }', { roomId }, { token: outsider.token });
    await live.completed;
    await send(stack, roomId, 'after you left', owner.token);
    await new Promise((r) => setTimeout(r, 300));
    expect(live.results.map((r) => r.data?.messageAdded.body)).toEqual(['welcome']);
    await client.dispose();
  });

  it('should deliver each message once, in seq order, with fields from the users and chat subgraphs', async () => {
    const { roomId, owner } = await roomWithMember(stack);
    const client = wsClient(stack.wsUrl, owner.token);
    const feed = collect(client, MESSAGE_ADDED, { roomId });
    await eventually(() => stack.router.subscriptions.watchedRooms > 0, 5_000, 'a watched room');
    await new Promise((r) => setTimeout(r, 200));
    const sent = [];
    for (let i = 0; i < 10; i += 1) sent.push(await send(stack, roomId, `m${i}`, owner.token));
    const results = await feed.waitFor(10);
    expect(results.map((r) => r.data?.messageAdded.body)).toEqual(sent.map((m) => m.body));
    expect(results.map((r) => r.data?.messageAdded.seq)).toEqual(sent.map((m) => m.seq));
    expect(results[0]?.data?.messageAdded).toMatchObject({ room: { id: roomId }, author: { id: owner.user.id, nickname: owner.nickname } });
    await new Promise((r) => setTimeout(r, 300));
    expect(feed.results).toHaveLength(10);
    await client.dispose();
  });

  it('should read each event through the subgraphs the same number of times for 1 and for 50 subscribers, and deliver it to each', async () => {
    async function fetchesPerMessage(subscribers: number): Promise<number> {
      const { roomId, owner } = await roomWithMember(stack);
      const clients = [];
      const feeds = [];
      for (let i = 0; i < subscribers; i += 1) {
        const fan = i === 0 ? owner : await signUp(stack);
        if (i > 0) await join(stack, roomId, fan.token);
        const client = wsClient(stack.wsUrl, fan.token);
        clients.push(client);
        feeds.push(collect(client, MESSAGE_ADDED, { roomId }));
      }
      await new Promise((r) => setTimeout(r, 500));
      stack.fetches.reset();
      for (let i = 0; i < 3; i += 1) {
        await send(stack, roomId, `fan-out ${i}`, owner.token);
        await Promise.all(feeds.map((f) => f.waitFor(i + 1)));
      }
      const count = stack.fetches.list.length;
      // The group's one read reached every subscriber: the same messages, in order, once each.
      for (const feed of feeds) expect(feed.results.map((r) => r.data?.messageAdded.body)).toEqual(['fan-out 0', 'fan-out 1', 'fan-out 2']);
      await Promise.all(clients.map((c) => c.dispose()));
      return count;
    }
    const one = await fetchesPerMessage(1);
    const fifty = await fetchesPerMessage(50);
    // Each message: the mutation (chat) and one read of its payload (chat, users). The periodic
    // re-read is 10 minutes away (CHAT_RESYNC_SECONDS), so it cannot add a read to one count only.
    expect(one).toBeGreaterThan(0);
    expect(fifty).toBe(one);
  }, 60_000);

  it('should replay the messages after a cursor, then live ones, without gap or duplicate at the seam', async () => {
    const { roomId, owner } = await roomWithMember(stack);
    const early = [];
    for (let i = 0; i < 5; i += 1) early.push(await send(stack, roomId, `early ${i}`, owner.token));
    const client = wsClient(stack.wsUrl, owner.token);
    const feed = collect(client, MESSAGE_ADDED, { roomId, after: early[1]!.cursor });
    // Messages sent while the subscription is being set up must land exactly once too.
    const during = send(stack, roomId, 'during', owner.token);
    await during;
    const late = await send(stack, roomId, 'late', owner.token);
    const results = await feed.waitFor(5);
    expect(results.map((r) => r.data?.messageAdded.body)).toEqual(['early 2', 'early 3', 'early 4', 'during', 'late']);
    expect(results.at(-1)?.data?.messageAdded.seq).toBe(late.seq);
    await new Promise((r) => setTimeout(r, 300));
    expect(feed.results).toHaveLength(5);
    await client.dispose();
  });

  it('should refuse an invalid after cursor with BAD_USER_INPUT', async () => {
    const { roomId, owner } = await roomWithMember(stack);
    const client = wsClient(stack.wsUrl, owner.token);
    const feed = collect(client, MESSAGE_ADDED, { roomId, after: 'bogus' });
    const error = (await feed.error) as Array<{ extensions: { code: string } }>;
    expect(error[0]?.extensions.code).toBe('BAD_USER_INPUT');
    await client.dispose();
  });

  it('should deliver a message sent through either of two routers to every subscriber of both, once and in order', async () => {
    const second = await stack.extraRouter();
    const { roomId, owner } = await roomWithMember(stack);
    const fan = await signUp(stack);
    await join(stack, roomId, fan.token);
    const clients = [wsClient(stack.wsUrl, owner.token), wsClient(second.wsUrl, fan.token), wsClient(second.wsUrl, owner.token)];
    const feeds = clients.map((c) => collect(c, MESSAGE_ADDED, { roomId }));
    await eventually(() => stack.router.subscriptions.watchedRooms > 0 && second.router.subscriptions.watchedRooms > 0, 5_000, 'both routers watching');
    await new Promise((r) => setTimeout(r, 300));
    const bodies: string[] = [];
    const sends = [];
    for (let i = 0; i < 12; i += 1) {
      bodies.push(`two routers ${i}`);
      sends.push(send(i % 2 ? second : stack, roomId, `two routers ${i}`, i % 3 ? owner.token : fan.token));
    }
    const sent = await Promise.all(sends);
    const bySeq = [...sent].sort((a, b) => a.seq - b.seq).map((m) => m.body);
    for (const feed of feeds) {
      const results = await feed.waitFor(12);
      expect(results.map((r) => r.data?.messageAdded.body)).toEqual(bySeq);
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const feed of feeds) expect(feed.results).toHaveLength(12);
    expect(new Set(bySeq)).toEqual(new Set(bodies));
    await Promise.all(clients.map((c) => c.dispose()));
    await second.close();
  });

  it('should close sockets with 1001 at shutdown, and a client resumes on another instance with after', async () => {
    const second = await stack.extraRouter();
    const { roomId, owner } = await roomWithMember(stack);
    const socket = rawSocket(second.wsUrl);
    await socket.opened;
    socket.send(authInit(owner.token));
    await socket.waitMessage((m) => m.type === 'connection_ack');
    socket.send({ id: '1', type: 'subscribe', payload: { query: MESSAGE_ADDED, variables: { roomId } } });
    await eventually(() => second.router.subscriptions.watchedRooms > 0, 5_000, 'a watched room');
    await new Promise((r) => setTimeout(r, 200));
    const first = await send(stack, roomId, 'before shutdown', owner.token);
    await socket.waitMessage((m) => m.type === 'next');
    await second.close();
    expect((await socket.closed).code).toBe(1001);
    const missed = await send(stack, roomId, 'while reconnecting', owner.token);
    const client = wsClient(stack.wsUrl, owner.token);
    const feed = collect(client, MESSAGE_ADDED, { roomId, after: first.cursor });
    const [resumed] = await feed.waitFor(1);
    expect(resumed?.data?.messageAdded).toMatchObject({ body: 'while reconnecting', seq: missed.seq });
    await client.dispose();
  });

  it('should refuse subscriptions sent over HTTP', async () => {
    const { roomId, owner } = await roomWithMember(stack);
    const res = await gql(stack, MESSAGE_ADDED, { roomId }, { token: owner.token });
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(codeOf(res)).not.toBe(undefined);
  });
});
