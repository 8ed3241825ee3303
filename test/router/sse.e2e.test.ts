import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client, type ExecutionResult, type NetworkError } from 'graphql-sse';
import { chatRoomChannel, notificationUserChannel } from '@stagelives/schema';
import { signUp, signUpAdmin } from '../support/harness.js';
import { MESSAGE_ADDED, collect, eventually, join, roomWithMember, send, wsClient } from '../support/live.js';
import { MINUTE, at, createConcert, op, run, startNotificationsStack, type NotificationsStack } from '../notifications/fixtures.js';

/** At most this many open streams per user in this stack (WS_MAX_SUBSCRIPTIONS). */
const MAX_STREAMS = 3;

let n: NotificationsStack;
let streamUrl = '';
beforeAll(async () => {
  n = await startNotificationsStack({ WS_MAX_SUBSCRIPTIONS: String(MAX_STREAMS), FIELD_RATE_LIMIT_FACTOR: '1000', CHAT_RESYNC_SECONDS: '600' });
  streamUrl = `${n.stack.baseUrl}/graphql/stream`;
});
afterAll(() => n?.close());

/** The graphql-sse client (the real one), in distinct connections mode, authenticated with a bearer token, a cookie, or not at all. */
function sseClient(url: string, auth: { token?: string; cookie?: string } = {}): Client {
  return createClient({
    url,
    singleConnection: false,
    retryAttempts: 0,
    headers: {
      ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
      ...(auth.cookie ? { cookie: auth.cookie } : {}),
    },
  });
}

interface Stream {
  results: ExecutionResult<Record<string, any>, unknown>[];
  waitFor(count: number, timeoutMs?: number): Promise<ExecutionResult<Record<string, any>, unknown>[]>;
  completed: Promise<void>;
  error: Promise<unknown>;
  stop(): void;
}

/** Subscribes over SSE and collects every result. */
function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}): Stream {
  const results: ExecutionResult<Record<string, any>, unknown>[] = [];
  let done!: () => void;
  let failed!: (error: unknown) => void;
  const completed = new Promise<void>((resolve) => (done = resolve));
  const error = new Promise<unknown>((resolve) => (failed = resolve));
  const stop = client.subscribe<Record<string, any>>({ query, variables }, { next: (value) => void results.push(value), error: failed, complete: done });
  return {
    results,
    completed,
    error,
    stop,
    waitFor: async (count, timeoutMs = 10_000) => {
      await eventually(() => results.length >= count, timeoutMs, `${count} results (got ${JSON.stringify(results).slice(0, 300)})`);
      return results.slice();
    },
  };
}

const roomListeners = async (roomId: string) =>
  Number(((await n.stack.redis.pubsub('NUMSUB', chatRoomChannel(`${n.stack.prefix}:`, roomId))) as [string, number])[1]);

/** The one result of a refused stream, which then completes. */
async function refusal(stream: Stream) {
  await stream.completed;
  expect(stream.results).toHaveLength(1);
  return stream.results[0]!.errors?.[0]?.extensions?.code;
}

describe('GraphQL over SSE (graphql-sse, distinct connections) on /graphql/stream', () => {
  it('should stream messageAdded to a member, replaying after its cursor first, with the session cookie or a bearer token', async () => {
    const { roomId, owner } = await roomWithMember(n.stack);
    const first = await send(n.stack, roomId, 'before the stream', owner.token);
    const second = await send(n.stack, roomId, 'missed while away', owner.token);
    const bearer = sseClient(streamUrl, { token: owner.token });
    const cookie = sseClient(streamUrl, { cookie: `sl_session=${owner.token}` });
    try {
      const resumed = subscribe(bearer, MESSAGE_ADDED, { roomId, after: first.cursor });
      const live = subscribe(cookie, MESSAGE_ADDED, { roomId });
      // The replay comes first, alone.
      expect((await resumed.waitFor(1)).map((r) => r.data!.messageAdded.seq)).toEqual([second.seq]);
      await eventually(async () => (await roomListeners(roomId)) === 1 && n.stack.router.subscriptions.streams === 2, 5_000, 'both streams joined');
      const third = await send(n.stack, roomId, 'hello over SSE', owner.token);
      const [, got] = await resumed.waitFor(2);
      expect(got).toEqual({
        data: {
          messageAdded: {
            id: third.id,
            seq: third.seq,
            body: 'hello over SSE',
            createdAt: expect.any(String),
            room: { id: roomId },
            author: { id: owner.user.id, nickname: owner.user.nickname, avatarUrl: null },
          },
        },
      });
      expect(await live.waitFor(1)).toEqual([got]);
      resumed.stop();
      live.stop();
      await eventually(() => n.stack.router.subscriptions.streams === 0, 5_000, 'streams closed');
    } finally {
      await bearer.dispose();
      await cookie.dispose();
    }
  });

  it('should refuse a stream without a session with 401 UNAUTHENTICATED, and a non-member with FORBIDDEN', async () => {
    const anonymous = subscribe(sseClient(streamUrl), MESSAGE_ADDED, { roomId: '000000000000000000000001' });
    const error = (await anonymous.error) as NetworkError<Response>;
    expect(error.response?.status).toBe(401);
    expect(((await error.response!.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const { roomId } = await roomWithMember(n.stack);
    const stranger = await signUp(n.stack);
    const client = sseClient(streamUrl, { token: stranger.token });
    expect(await refusal(subscribe(client, MESSAGE_ADDED, { roomId }))).toBe('FORBIDDEN');
    await join(n.stack, roomId, stranger.token);
    const member = subscribe(client, MESSAGE_ADDED, { roomId });
    await eventually(async () => (await roomListeners(roomId)) === 1, 5_000, 'joined');
    member.stop();
    await client.dispose();
  });

  it('should apply the operation limits (depth, then non-subscriptions) and the per-user stream limit with the socket’s codes', async () => {
    const fan = await signUp(n.stack);
    const client = sseClient(streamUrl, { token: fan.token });
    const { roomId } = await roomWithMember(n.stack);
    await join(n.stack, roomId, fan.token);
    const deep = `subscription($roomId: ID!) { messageAdded(roomId: $roomId) { room { lastMessage { room { lastMessage { room { lastMessage { room { lastMessage { room { lastMessage { room { lastMessage { id } } } } } } } } } } } } } }`;
    expect(await refusal(subscribe(client, deep, { roomId }))).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await refusal(subscribe(client, '{ me { id } }'))).toBe('BAD_USER_INPUT');

    const open = Array.from({ length: MAX_STREAMS }, () => subscribe(client, MESSAGE_ADDED, { roomId }));
    await eventually(() => n.stack.router.subscriptions.streams === MAX_STREAMS, 5_000, 'streams open');
    expect(await refusal(subscribe(client, MESSAGE_ADDED, { roomId }))).toBe('TOO_MANY_SUBSCRIPTIONS');
    for (const stream of open) stream.stop();
    await eventually(() => n.stack.router.subscriptions.streams === 0, 5_000, 'streams closed');
    await client.dispose();
  });

  it('should take only contract operations under OPERATIONS=trusted, like the socket', async () => {
    const trusted = await n.stack.extraRouter({ OPERATIONS: 'trusted' });
    const fan = await signUp(n.stack);
    const client = sseClient(`${trusted.url}/stream`, { token: fan.token });
    try {
      const adHoc = 'subscription { notificationAdded { id } }';
      expect(await refusal(subscribe(client, adHoc))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      // The same code as over the socket.
      const socket = wsClient(trusted.wsUrl, fan.token);
      const overWs = (await collect(socket, adHoc, {}).error) as Array<{ extensions?: { code?: string } }>;
      expect(overWs[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      await socket.dispose();
      const contract = subscribe(client, op('NotificationAdded').source);
      await eventually(() => trusted.router.subscriptions.streams === 1, 5_000, 'contract stream open');
      expect(contract.results).toEqual([]);
      contract.stop();
    } finally {
      await client.dispose();
      await trusted.close();
    }
  });

  it('should stream notificationAdded when the worker records the viewer’s notification', async () => {
    const admin = await signUpAdmin(n.stack);
    const fan = await signUp(n.stack);
    const client = sseClient(streamUrl, { token: fan.token });
    try {
      const stream = subscribe(client, op('NotificationAdded').source);
      await eventually(
        async () => Number(((await n.stack.redis.pubsub('NUMSUB', notificationUserChannel(`${n.stack.prefix}:`, fan.user.id))) as [string, number])[1]) === 1,
        5_000,
        'subscribed',
      );
      const show = await createConcert(n.stack, admin.token, { title: 'Streamed Show', startsAt: at(Date.now() + 30 * MINUTE) });
      await run(n.stack, 'LikeConcert', { id: show.id }, fan.token, 'concerts.graphql');
      const [event] = await stream.waitFor(1, 15_000);
      expect(event!.data!.notificationAdded).toMatchObject({ kind: 'CONCERT_START', readAt: null, concert: { id: show.id, title: 'Streamed Show' } });
      const { me } = await run(n.stack, 'MyNotifications', {}, fan.token);
      expect(me.notifications.unreadCount).toBe(1);
      expect(me.notifications.edges[0].node.id).toBe(event!.data!.notificationAdded.id);
      stream.stop();
    } finally {
      await client.dispose();
    }
  });
});
