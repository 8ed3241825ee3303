import { CloseCode } from 'graphql-ws';
import { buildSchema } from 'graphql';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Session } from '@stagelives/platform';
import { operationId } from '@stagelives/schema';
import { SubscriptionRefused, type ChatSubscriber } from '../src/subscriptions/chat-hub.js';
import { createProtocolServer, type ProtocolConnection } from '../src/subscriptions/protocol-server.js';
import { createSubscriptionCore, type SubscriptionCoreOptions } from '../src/subscriptions/subscription-core.js';
import { TrustedOperations } from '../src/trusted-operations.js';
import { ViewerDependentFields } from '../src/viewer-dependence.js';

const SDL = `
  type Message { id: ID!, seq: Int!, body: String! }
  type Query { chatMessagesInRange(roomId: ID!, afterSeq: Int!, upToSeq: Int): [Message!]! }
  type Subscription { messageAdded(roomId: ID!, after: String): Message!, other: Int }
`;
const schema = buildSchema(SDL);
const TOKEN = 'a-valid-session-token-0001';
const SESSION = { id: 'sid', userId: 'u1', roles: [], createdAt: 0, absoluteExpiresAt: 0 } as unknown as Session;
const QUERY = 'subscription { messageAdded(roomId: "r1") { id body } }';
const config = {
  NODE_ENV: 'test',
  WS_INIT_TIMEOUT_MS: 3_000,
  WS_SESSION_CHECK_SECONDS: 30,
  WS_MAX_SUBSCRIPTIONS: 2,
  MAX_TOKENS: 1_000,
  MAX_RESPONSE_BYTES: 100,
} as const;

/** A transport that records what the protocol writes: messages (parsed), `next` frames (as their text) and the close. */
class FakeSocket {
  open = true;
  sent: Array<Record<string, unknown>> = [];
  closes: Array<[number, string]> = [];
  isOpen = () => this.open;
  writable = () => this.open;
  send = (message: string) => void this.sent.push(JSON.parse(message) as Record<string, unknown>);
  writeNext = (prefix: Buffer, payloads: readonly Buffer[]) => {
    for (const payload of payloads) this.sent.push(JSON.parse(Buffer.concat([prefix, payload, Buffer.from('}')]).toString()) as Record<string, unknown>);
  };
  close = (code: number, reason: string) => {
    this.closes.push([code, reason]);
    this.open = false;
  };
}

/** Lets the protocol's awaits (session lookup, hub.subscribe) finish. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe(createProtocolServer.name, () => {
  let joined: Set<ChatSubscriber>;
  let hub: {
    subscribe: ReturnType<typeof vi.fn<(sub: ChatSubscriber) => Promise<void>>>;
    unsubscribe: ReturnType<typeof vi.fn<(sub: ChatSubscriber) => void>>;
  };
  let sessions: { resolve: ReturnType<typeof vi.fn<(token: string) => Promise<Session | null>>> };
  let opened: ProtocolConnection[];

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    joined = new Set();
    hub = {
      subscribe: vi.fn(async (sub: ChatSubscriber) => void joined.add(sub)),
      unsubscribe: vi.fn((sub: ChatSubscriber) => void joined.delete(sub)),
    };
    sessions = { resolve: vi.fn(async (token: string) => (token === TOKEN ? SESSION : null)) };
    opened = [];
  });
  afterEach(() => {
    for (const connection of opened) connection.closed();
    vi.useRealTimers();
  });

  /** The graphql-ws protocol over its protocol-independent core, with the core's counters. */
  function protocolServer(options: Partial<SubscriptionCoreOptions> = {}) {
    const core = createSubscriptionCore({
      config,
      sessions,
      hub,
      schema: () => schema,
      viewerFields: ViewerDependentFields.fromSupergraph(SDL),
      validationRules: [],
      ...options,
    });
    const protocol = createProtocolServer({ config, core });
    return {
      opened: protocol.opened,
      get subscriptions() {
        return core.subscriptions;
      },
      get deliveries() {
        return core.deliveries;
      },
    };
  }

  function setup(options: Partial<SubscriptionCoreOptions> = {}) {
    const server = protocolServer(options);
    const socket = new FakeSocket();
    const log = { error: vi.fn() };
    const connection = server.opened(socket, { headers: {}, log });
    opened.push(connection);
    const send = (message: unknown) => connection.message(typeof message === 'string' ? message : JSON.stringify(message));
    const init = async (authorization = `Bearer ${TOKEN}`) => {
      send({ type: 'connection_init', payload: { authorization } });
      await settle();
    };
    const subscribe = async (id: string, query = QUERY, extra: Record<string, unknown> = {}) => {
      send({ id, type: 'subscribe', payload: { query, ...extra } });
      await settle();
    };
    return { server, socket, connection, log, send, init, subscribe };
  }

  describe('connection_init', () => {
    it('should close with 4408 when no connection_init comes in time', () => {
      const { socket } = setup();
      vi.advanceTimersByTime(2_999);
      expect(socket.closes).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(socket.closes).toEqual([[CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout']]);
    });

    it('should acknowledge a valid session (from the payload, or the upgrade request’s headers) and not time out', async () => {
      const { socket, init } = setup();
      await init();
      expect(socket.sent).toEqual([{ type: 'connection_ack' }]);
      vi.advanceTimersByTime(10_000);
      expect(socket.closes).toEqual([]);

      const server = protocolServer();
      const other = new FakeSocket();
      const connection = server.opened(other, { headers: { authorization: `Bearer ${TOKEN}` }, log: { error: vi.fn() } });
      opened.push(connection);
      connection.message(JSON.stringify({ type: 'connection_init' }));
      await settle();
      expect(other.sent).toEqual([{ type: 'connection_ack' }]);
    });

    it('should close with 4403 without a valid session, and when the session lookup fails', async () => {
      const none = setup();
      none.send({ type: 'connection_init' });
      await settle();
      expect(none.socket.closes).toEqual([[CloseCode.Forbidden, 'Forbidden']]);

      const unknown = setup();
      await unknown.init('Bearer an-unknown-token-00001');
      expect(unknown.socket.closes).toEqual([[CloseCode.Forbidden, 'Forbidden']]);

      sessions.resolve.mockRejectedValueOnce(new Error('redis away'));
      const failing = setup();
      await failing.init();
      expect(failing.socket.closes).toEqual([[CloseCode.Forbidden, 'Forbidden']]);
    });

    it('should close with 4429 on a second connection_init', async () => {
      const { socket, init, send } = setup();
      await init();
      send({ type: 'connection_init' });
      expect(socket.closes).toEqual([[CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests']]);
    });

    it('should close with 4403 when the session ends, at the periodic re-check', async () => {
      const { socket, init } = setup();
      await init();
      vi.advanceTimersByTime(30_000);
      await settle();
      expect(socket.closes).toEqual([]);
      sessions.resolve.mockResolvedValue(null);
      vi.advanceTimersByTime(30_000);
      await settle();
      expect(socket.closes).toEqual([[CloseCode.Forbidden, 'Forbidden: the session has ended']]);
    });
  });

  describe('messages', () => {
    it('should answer ping with pong, echoing its payload', () => {
      const { socket, send } = setup();
      send({ type: 'ping' });
      send({ type: 'ping', payload: { at: 1 } });
      send({ type: 'pong' });
      expect(socket.sent).toEqual([{ type: 'pong' }, { type: 'pong', payload: { at: 1 } }]);
      expect(socket.closes).toEqual([]);
    });

    it('should close with 4400 on an invalid or unexpected message', () => {
      for (const message of ['not json', JSON.stringify({ type: 'nope' }), JSON.stringify({ id: 'a', type: 'subscribe' })]) {
        const { socket, send } = setup();
        send(message);
        expect(socket.closes).toHaveLength(1);
        expect(socket.closes[0]![0]).toBe(CloseCode.BadRequest);
        expect(socket.closes[0]![1].length).toBeLessThanOrEqual(120);
      }
      const { socket, send } = setup();
      send({ type: 'connection_ack' });
      expect(socket.closes).toEqual([[CloseCode.BadRequest, 'Unexpected message of type connection_ack received']]);
    });
  });

  describe('subscribe', () => {
    it('should close with 4401 when subscribing before the acknowledgement', async () => {
      const { socket, subscribe } = setup();
      await subscribe('a');
      expect(socket.closes).toEqual([[CloseCode.Unauthorized, 'Unauthorized']]);
      expect(hub.subscribe).not.toHaveBeenCalled();
    });

    it('should join the hub, deliver next messages behind one prefix and count them', async () => {
      const { server, socket, init, subscribe } = setup();
      await init();
      await subscribe('a');
      expect(server.subscriptions).toBe(1);
      const [sub] = joined;
      expect(sub).toMatchObject({ id: 'a', lastSeq: 0, operation: { roomId: 'r1' } });
      expect(sub!.connection.session).toBe(SESSION);
      sub!.connection.sendNext('a', [Buffer.from('{"data":{"messageAdded":{"id":"1"}}}'), Buffer.from('{"data":{"messageAdded":{"id":"2"}}}')]);
      expect(socket.sent.slice(1)).toEqual([
        { id: 'a', type: 'next', payload: { data: { messageAdded: { id: '1' } } } },
        { id: 'a', type: 'next', payload: { data: { messageAdded: { id: '2' } } } },
      ]);
      expect(server.deliveries).toBe(2);
      sub!.connection.sendComplete('a');
      expect(socket.sent.at(-1)).toEqual({ id: 'a', type: 'complete' });
      expect(server.subscriptions).toBe(0);
    });

    it('should prepare a request once for every subscriber sending it, and again once the schema changes', async () => {
      let current = schema;
      const server = protocolServer({ schema: () => current });
      const clients = [0, 1, 2].map(() => {
        const socket = new FakeSocket();
        const connection = server.opened(socket, { headers: {}, log: { error: vi.fn() } });
        opened.push(connection);
        return (message: unknown) => connection.message(JSON.stringify(message));
      });
      for (const send of clients) send({ type: 'connection_init', payload: { authorization: `Bearer ${TOKEN}` } });
      await settle();
      clients[0]!({ id: 'a', type: 'subscribe', payload: { query: QUERY } });
      clients[1]!({ id: 'b', type: 'subscribe', payload: { query: QUERY } });
      clients[2]!({ id: 'c', type: 'subscribe', payload: { query: 'subscription { messageAdded(roomId: "r2") { id body } }' } });
      await settle();
      const [a, b, c] = [...joined];
      // One event operation (its query text included) for the room's subscribers, whatever their number.
      expect(b!.operation).toBe(a!.operation);
      expect(c!.operation).not.toBe(a!.operation);
      expect(c!.operation.roomId).toBe('r2');

      current = buildSchema(SDL);
      clients[1]!({ id: 'b2', type: 'subscribe', payload: { query: QUERY } });
      await settle();
      const fresh = [...joined].at(-1)!;
      expect(fresh.operation).not.toBe(a!.operation);
      expect(fresh.operation).toEqual(a!.operation);
    });

    it('should close with 4409 when an id is already subscribed', async () => {
      const { socket, init, subscribe } = setup();
      await init();
      await subscribe('a');
      await subscribe('a');
      expect(socket.closes).toEqual([[CloseCode.SubscriberAlreadyExists, 'Subscriber for a already exists']]);
    });

    it('should refuse subscriptions past the per-connection limit with an error message', async () => {
      const { server, socket, init, subscribe } = setup();
      await init();
      await subscribe('a');
      await subscribe('b');
      await subscribe('c');
      expect(server.subscriptions).toBe(2);
      expect(socket.sent.at(-1)).toEqual({
        id: 'c',
        type: 'error',
        payload: [{ message: 'At most 2 subscriptions per connection.', extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }],
      });
      expect(socket.closes).toEqual([]);
    });

    it('should answer parse, validation and event-operation failures with error messages', async () => {
      const { socket, init, subscribe } = setup();
      await init();
      await subscribe('p', 'subscription {');
      await subscribe('v', 'subscription { messageAdded(roomId: "r1") { nope } }');
      await subscribe('e', 'subscription { other }');
      const codes = socket.sent.slice(1).map((m) => [m.id, m.type, (m.payload as Array<{ extensions: { code: string } }>)[0]!.extensions.code]);
      expect(codes).toEqual([
        ['p', 'error', 'GRAPHQL_PARSE_FAILED'],
        ['v', 'error', 'GRAPHQL_VALIDATION_FAILED'],
        ['e', 'error', 'BAD_USER_INPUT'],
      ]);
      expect(hub.subscribe).not.toHaveBeenCalled();
    });

    it('should answer SERVICE_UNAVAILABLE before the schema is loaded, and the hub’s refusals as errors', async () => {
      const early = setup({ schema: () => undefined });
      await early.init();
      await early.subscribe('a');
      expect(early.socket.sent.at(-1)).toMatchObject({ id: 'a', type: 'error', payload: [{ extensions: { code: 'SERVICE_UNAVAILABLE' } }] });

      hub.subscribe.mockRejectedValueOnce(new SubscriptionRefused([{ message: 'No such room.', extensions: { code: 'NOT_FOUND' } }]));
      hub.subscribe.mockRejectedValueOnce(new Error('boom'));
      const { socket, log, init, subscribe } = setup();
      await init();
      await subscribe('a');
      await subscribe('b');
      expect(socket.sent.slice(1)).toEqual([
        { id: 'a', type: 'error', payload: [{ message: 'No such room.', extensions: { code: 'NOT_FOUND' } }] },
        { id: 'b', type: 'error', payload: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
      ]);
      expect(log.error).toHaveBeenCalledOnce();
    });

    it('should run only trusted operations when given them, by text or by hash', async () => {
      const trusted = new TrustedOperations([{ id: operationId(QUERY), name: 'Messages', type: 'subscription', body: QUERY }], 1_000);
      const { socket, init, subscribe } = setup({ trusted });
      await init();
      await subscribe('a', 'subscription { messageAdded(roomId: "r2") { id } }');
      expect(socket.sent.at(-1)).toMatchObject({ id: 'a', type: 'error', payload: [{ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }] });
      await subscribe('b', '', { extensions: { persistedQuery: { version: 1, sha256Hash: operationId(QUERY) } } });
      expect([...joined].map((s) => s.id)).toEqual(['b']);
    });

    it('should end a subscription whose payload is past MAX_RESPONSE_BYTES with an error', async () => {
      const { server, socket, init, subscribe } = setup();
      await init();
      await subscribe('a');
      const [sub] = joined;
      sub!.connection.sendNext('a', [Buffer.from(JSON.stringify({ data: { body: 'x'.repeat(200) } }))]);
      expect(hub.unsubscribe).toHaveBeenCalledWith(sub);
      expect(socket.sent.at(-1)).toMatchObject({ id: 'a', type: 'error', payload: [{ extensions: { code: 'RESPONSE_TOO_LARGE', maxBytes: 100 } }] });
      expect(server.deliveries).toBe(0);
    });
  });

  describe('complete and close', () => {
    it('should remove a subscription on complete, so its id may be used again', async () => {
      const { server, socket, init, subscribe, send } = setup();
      await init();
      await subscribe('a');
      const [sub] = joined;
      send({ id: 'a', type: 'complete' });
      expect(hub.unsubscribe).toHaveBeenCalledWith(sub);
      expect(server.subscriptions).toBe(0);
      await subscribe('a');
      expect(socket.closes).toEqual([]);
      expect(server.subscriptions).toBe(1);
    });

    it('should leave the hub again when completed while joining', async () => {
      let join!: () => void;
      hub.subscribe.mockImplementationOnce((sub) => new Promise<void>((resolve) => (join = () => resolve(void joined.add(sub)))));
      const { server, init, send } = setup();
      await init();
      send({ id: 'a', type: 'subscribe', payload: { query: QUERY } });
      send({ id: 'a', type: 'complete' });
      join();
      await settle();
      expect(hub.unsubscribe).toHaveBeenCalledOnce();
      expect(joined.size).toBe(0);
      expect(server.subscriptions).toBe(0);
    });

    it('should leave the hub with every subscription and stop its timers when the socket closes', async () => {
      const { server, socket, connection, init, subscribe } = setup();
      await init();
      await subscribe('a');
      await subscribe('b');
      connection.closed();
      expect(joined.size).toBe(0);
      expect(server.subscriptions).toBe(0);
      vi.advanceTimersByTime(120_000);
      expect(sessions.resolve).toHaveBeenCalledOnce();
      expect(socket.closes).toEqual([]);
    });
  });
});
