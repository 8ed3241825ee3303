import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { buildSchema } from 'graphql';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createLogger, createRedis, type Redis, type SessionStore } from '@stagelives/platform';
import { loadRouterConfig } from '../src/config.js';
import type { ChatHub } from '../src/subscriptions/chat-hub.js';
import { createSubscriptionCore } from '../src/subscriptions/subscription-core.js';
import { createSubscriptionServer } from '../src/subscriptions/ws-server.js';
import { ViewerDependentFields } from '../src/viewer-dependence.js';

const SDL = 'type Query { a: Int } type Subscription { messageAdded(roomId: ID!): Int }';

/** The ws binding alone, on a real HTTP server and Redis (the per-IP limiter), with the hub and sessions stubbed. */
describe(createSubscriptionServer.name, () => {
  let httpServer: Server;
  let redis: Redis;
  let server: ReturnType<typeof createSubscriptionServer>;
  let url = '';
  beforeAll(async () => {
    redis = createRedis(inject('redisUrl'));
    const config = loadRouterConfig({
      MONGODB_URI: 'mongodb://x',
      REDIS_URL: inject('redisUrl'),
      IDENTITY_SECRET: 'x'.repeat(32),
      REDIS_PREFIX: `t${randomUUID().slice(0, 8)}:`,
    });
    httpServer = createServer();
    const hub = { subscribe: vi.fn(async () => undefined), unsubscribe: vi.fn(), drain: vi.fn(async () => undefined) } as unknown as ChatHub;
    const sessions = { resolve: vi.fn(async () => null) } as unknown as SessionStore;
    server = createSubscriptionServer({
      httpServer,
      config,
      logger: createLogger('ws-server-test', 'silent'),
      redis,
      core: createSubscriptionCore({
        config,
        sessions,
        hub,
        schema: () => buildSchema(SDL),
        viewerFields: ViewerDependentFields.fromSupergraph(SDL),
        validationRules: [],
      }),
      hub,
      trustProxy: () => false,
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(httpServer.address() as { port: number }).port}`;
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
