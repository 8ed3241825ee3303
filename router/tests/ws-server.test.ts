import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { buildSchema } from 'graphql';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import WebSocket from 'ws';
import { SessionStore, createLogger, createRedis, redisReady, type Redis } from '@stagelives/platform';
import { loadRouterConfig } from '../src/config.js';
import type { ChatHub, ChatSubscriber } from '../src/subscriptions/chat-hub.js';
import { createSubscriptionCore } from '../src/subscriptions/subscription-core.js';
import { createSubscriptionServer } from '../src/subscriptions/ws-server.js';
import { ViewerDependentFields } from '../src/viewer-dependence.js';

const SDL = 'type Query { a: Int } type Subscription { messageAdded(roomId: ID!): Int }';

/** A router config on the test Redis, under a prefix of its own. */
const testConfig = (extra: Record<string, string> = {}) =>
  loadRouterConfig({
    MONGODB_URI: 'mongodb://x',
    REDIS_URL: inject('redisUrl'),
    IDENTITY_SECRET: 'x'.repeat(32),
    REDIS_PREFIX: `t${randomUUID().slice(0, 8)}:`,
    ...extra,
  });

/** The ws binding on `httpServer`, listening on a free port, with this hub, sessions and schema; its ws:// base URL. */
async function listenWith({
  httpServer,
  config,
  redis,
  sessions,
  hub,
  sdl,
}: {
  httpServer: Server;
  config: ReturnType<typeof loadRouterConfig>;
  redis: Redis;
  sessions: SessionStore;
  hub: ChatHub;
  sdl: string;
}) {
  const server = createSubscriptionServer({
    httpServer,
    config,
    logger: createLogger('ws-server-test', 'silent'),
    redis,
    core: createSubscriptionCore({
      config,
      sessions,
      hub,
      schema: () => buildSchema(sdl),
      viewerFields: ViewerDependentFields.fromSupergraph(sdl),
      validationRules: [],
    }),
    hub,
    trustProxy: () => false,
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return { server, url: `ws://127.0.0.1:${(httpServer.address() as { port: number }).port}` };
}

/** The ws binding alone, on a real HTTP server and Redis (the per-IP limiter), with the hub and sessions stubbed. */
describe(createSubscriptionServer.name, () => {
  let httpServer: Server;
  let redis: Redis;
  let server: ReturnType<typeof createSubscriptionServer>;
  let url = '';
  beforeAll(async () => {
    redis = createRedis(inject('redisUrl'));
    const config = testConfig();
    httpServer = createServer();
    const hub = { subscribe: vi.fn(async () => undefined), unsubscribe: vi.fn(), drain: vi.fn(async () => undefined) } as unknown as ChatHub;
    const sessions = { resolve: vi.fn(async () => null) } as unknown as SessionStore;
    ({ server, url } = await listenWith({ httpServer, config, redis, sessions, hub, sdl: SDL }));
  });
  afterAll(async () => {
    await server.close();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    redis.disconnect();
  });

  const closeOf = (ws: WebSocket) => new Promise<[number, string]>((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));
  const statusOf = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));

  it('should close 4406 without the graphql-transport-ws subprotocol, and forget the socket', async () => {
    const ws = new WebSocket(`${url}/graphql`);
    expect(await closeOf(ws)).toEqual([4406, 'Subprotocol not acceptable']);
    await vi.waitFor(() => expect(server.connections).toBe(0));
  });

  it('should refuse upgrades off /graphql (404) and from another site (403)', async () => {
    expect(await statusOf(new WebSocket(`${url}/other`, GRAPHQL_TRANSPORT_WS_PROTOCOL))).toBe(404);
    expect(await statusOf(new WebSocket(`${url}/graphql`, GRAPHQL_TRANSPORT_WS_PROTOCOL, { origin: 'https://evil.example' }))).toBe(403);
  });

  it('should speak the protocol through the binding: 4403 for a connection_init without a session', async () => {
    const ws = new WebSocket(`${url}/graphql`, GRAPHQL_TRANSPORT_WS_PROTOCOL);
    await new Promise((resolve) => ws.once('open', resolve));
    expect(server.connections).toBe(1);
    ws.send(JSON.stringify({ type: 'connection_init' }));
    expect(await closeOf(ws)).toEqual([4403, 'Forbidden']);
    await vi.waitFor(() => expect(server.connections).toBe(0));
  });

  it('should close 4400 on a binary message', async () => {
    const ws = new WebSocket(`${url}/graphql`, GRAPHQL_TRANSPORT_WS_PROTOCOL);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(Buffer.from('{}'), { binary: true });
    expect(await closeOf(ws)).toEqual([4400, 'Binary messages are not supported']);
  });
});

/**
 * `next` frames through the binding, on real sockets, sessions in the test Redis, and a hub that
 * hands payloads to its subscribers the way ChatHub does (one synchronous loop per read).
 */
describe('next frames', () => {
  const SUBSCRIBE_SDL = `
    type Message { id: ID!, seq: Int!, body: String! }
    type Query { chatMessagesInRange(roomId: ID!, afterSeq: Int!, upToSeq: Int): [Message!]! }
    type Subscription { messageAdded(roomId: ID!, after: String): Message! }
  `;
  let httpServer: Server;
  let redis: Redis;
  let server: ReturnType<typeof createSubscriptionServer>;
  let token = '';
  let url = '';
  const joined: ChatSubscriber[] = [];
  beforeAll(async () => {
    redis = createRedis(inject('redisUrl'));
    const config = testConfig({ WS_CONNECTIONS_PER_MINUTE: '1000' });
    const sessions = SessionStore.fromConfig(redis, config);
    await redisReady(redis);
    token = (await sessions.create('u1', ['USER'])).token;
    httpServer = createServer();
    const hub = {
      subscribe: vi.fn(async (sub: ChatSubscriber) => void joined.push(sub)),
      unsubscribe: vi.fn((sub: ChatSubscriber) => void joined.splice(joined.indexOf(sub), 1)),
      drain: vi.fn(async () => undefined),
    } as unknown as ChatHub;
    ({ server, url } = await listenWith({ httpServer, config, redis, sessions, hub, sdl: SUBSCRIBE_SDL }));
    url = `${url}/graphql`;
  });
  afterAll(async () => {
    await server?.close();
    await new Promise<void>((resolve) => httpServer?.close(() => resolve()) ?? resolve());
    redis.disconnect();
  });

  /** A signed-in client socket with the given subscription ids (all on one room); records every message's text. */
  async function client(ids: string[]) {
    const ws = new WebSocket(url, GRAPHQL_TRANSPORT_WS_PROTOCOL);
    const texts: string[] = [];
    ws.on('message', (data) => texts.push(String(data)));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await vi.waitFor(() => expect(texts).toContain('{"type":"connection_ack"}'));
    texts.length = 0;
    for (const id of ids) ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { messageAdded(roomId: "r1") { id } }' } }));
    return { ws, texts };
  }

  const payload = (seq: number) => Buffer.from(JSON.stringify({ data: { messageAdded: { id: `m${seq}` } } }));
  /** What the hub does for one read: the same payloads to every subscriber, in one loop. */
  const deliver = (payloads: Buffer[]) => {
    for (const sub of [...joined]) sub.connection.sendNext(sub.id, payloads);
  };

  it('should write each socket once per flush, whatever it has waiting: subscriptions, messages, reads', async () => {
    // 20 sockets with one subscription each (distinct ids, as real clients use), one socket with five.
    const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => client([`s${i}`])));
    const many = await client(['a', 'b', 'c', 'd', 'e']);
    await vi.waitFor(() => expect(joined).toHaveLength(25));
    const all = [...clients, many];
    const nexts = (texts: string[]) => texts.map((t) => JSON.parse(t) as { id: string; type: string; payload: { data: { messageAdded: { id: string } } } });

    // One read of one message: one write per socket (the five-subscription socket too).
    const before = server.writes;
    deliver([payload(1)]);
    await vi.waitFor(() => expect(all.every((c) => c.texts.length === (c === many ? 5 : 1))).toBe(true));
    expect(server.writes).toEqual({ writes: before.writes + 21, frames: before.frames + 25 });

    // Two reads (one of them a backlog of two messages) handed over before the writer's turn: still one write per socket.
    deliver([payload(2), payload(3)]);
    deliver([payload(4)]);
    await vi.waitFor(() => expect(all.every((c) => c.texts.length === (c === many ? 20 : 4))).toBe(true));
    expect(server.writes).toEqual({ writes: before.writes + 42, frames: before.frames + 100 });

    // Every subscription got every message once, in order, identical but for its id.
    for (const c of all) {
      for (const id of new Set(nexts(c.texts).map((m) => m.id))) {
        const got = nexts(c.texts).filter((m) => m.id === id);
        expect(got.map((m) => m.type)).toEqual(['next', 'next', 'next', 'next']);
        expect(got.map((m) => m.payload.data.messageAdded.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
      }
    }
    for (const c of all) c.ws.close();
    await vi.waitFor(() => expect(joined).toHaveLength(0));
  });

  it('should send a complete after the next frames handed over before it, in the same turn', async () => {
    const { ws, texts } = await client(['x']);
    await vi.waitFor(() => expect(joined).toHaveLength(1));
    deliver([payload(1), payload(2)]);
    // As the hub ends a subscription (its user left the room): out of the group, then `complete`.
    const [sub] = joined.splice(0);
    sub!.connection.sendComplete(sub!.id);
    await vi.waitFor(() => expect(texts).toHaveLength(3));
    expect(texts.map((t) => (JSON.parse(t) as { type: string }).type)).toEqual(['next', 'next', 'complete']);
    ws.close();
  });
});
