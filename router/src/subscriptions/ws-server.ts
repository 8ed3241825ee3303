import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyaddr from 'proxy-addr';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL, MessageType, parseMessage, type Message } from 'graphql-ws';
import { GraphQLError, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger, Redis, Session, SessionStore } from '@stagelives/platform';
import type { RouterConfig } from '../config.js';
import { CostLimitExceededError, type CostLimit } from '../cost/index.js';
import { RESPONSE_TOO_LARGE } from '../response-size.js';
import { sessionTokenFrom } from '../sessions.js';
import type { TrustedOperations } from '../trusted-operations.js';
import { SubscriptionRefused, type ChatHub, type ChatSubscriber, type SubscriberConnection } from './chat-hub.js';
import { EventOperationError, eventOperation } from './event-operation.js';
import type { ViewerDependentFields } from '../viewer-dependence.js';

/** Close code for a client that does not read fast enough (RFC 6455 "Try Again Later"). */
export const SLOW_CONSUMER_CLOSE = 1013;
/** Close code at shutdown (RFC 6455 "Going Away"): clients reconnect, to another instance, with `after`. */
export const GOING_AWAY_CLOSE = 1001;

export interface SubscriptionServerOptions {
  httpServer: Server;
  config: RouterConfig;
  logger: Logger;
  redis: Redis;
  sessions: SessionStore;
  hub: ChatHub;
  /** The API schema subscriptions are validated against (the gateway's, once loaded). */
  schema: () => GraphQLSchema | undefined;
  /** The supergraph's `@viewerDependent` fields: which subscribers may share one resolution. */
  viewerFields: ViewerDependentFields;
  /** Operation limits (depth, aliases, cost…) applied to HTTP operations too. */
  validationRules: readonly ValidationRule[];
  /** The cost rule of HTTP operations: a subscription's selection is costed with its variables when it is subscribed. */
  cost?: CostLimit | undefined;
  /** Express's compiled `trust proxy` function, for the client address. */
  trustProxy: (addr: string, hop: number) => boolean;
  /** OPERATIONS=trusted: only these operations may be subscribed to (text or `extensions.persistedQuery`). */
  trusted?: TrustedOperations | undefined;
}

interface Pending {
  cancelled: boolean;
}

const reason = (text: string) => text.slice(0, 120);

/**
 * The router's graphql-ws endpoint (`graphql-transport-ws` protocol) on `/graphql`, beside
 * HTTP. Written on `ws` rather than graphql-ws's server because every event's payload is
 * serialised once for all subscribers of a group (see ChatHub), which graphql-ws's per-subscriber
 * execution cannot do; the protocol and its close codes are graphql-ws's own.
 */
export function createSubscriptionServer({ httpServer, config, logger, redis, sessions, hub, schema, viewerFields, validationRules, cost, trustProxy, trusted }: SubscriptionServerOptions) {
  const production = config.NODE_ENV === 'production';
  const wss = new WebSocketServer({
    noServer: true,
    // Off: compression would cost each delivery CPU, and sendNext writes its frames itself.
    perMessageDeflate: false,
    maxPayload: parseBytes(config.BODY_LIMIT),
    handleProtocols: (protocols) => (protocols.has(GRAPHQL_TRANSPORT_WS_PROTOCOL) ? GRAPHQL_TRANSPORT_WS_PROTOCOL : false),
  });
  const connectionLimiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${config.REDIS_PREFIX}rl:ws-connect`,
    points: config.WS_CONNECTIONS_PER_MINUTE,
    duration: 60,
    insuranceLimiter: new RateLimiterMemory({ points: config.WS_CONNECTIONS_PER_MINUTE, duration: 60 }),
  });
  const sockets = new Set<WebSocket>();
  let closing = false;
  // Metrics, read at scrape time (plain numbers: the delivery path pays one addition).
  /** Each connection's subscriptions (read when scraped). */
  const subscriptionMaps = new Set<Map<string, ChatSubscriber | Pending>>();
  let deliveries = 0;
  let refusedUpgrades = 0;

  function refuseUpgrade(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}) {
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  }

  function originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    if (config.CORS_ORIGINS.includes(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://router').pathname;
      if (path !== '/graphql') return refuseUpgrade(socket, 404, 'Not Found');
      if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable');
      // Full: another router takes it (the heap cap bounds what one router can hold).
      if (sockets.size >= config.WS_MAX_CONNECTIONS) {
        return refuseUpgrade(socket, 503, 'Service Unavailable', { 'Retry-After': '5' });
      }
      // Cross-site WebSocket hijacking: a browser always sends its page's origin.
      if (!originAllowed(req)) return refuseUpgrade(socket, 403, 'Forbidden');
      const ip = proxyaddr(req, trustProxy);
      try {
        await connectionLimiter.consume(`ip:${ip}`);
      } catch (error) {
        const retryAfter = error instanceof RateLimiterRes ? Math.max(1, Math.ceil(error.msBeforeNext / 1000)) : 5;
        refusedUpgrades += 1;
        return refuseUpgrade(socket, 429, 'Too Many Requests', { 'Retry-After': String(retryAfter) });
      }
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, ip, socket));
    })().catch((error: unknown) => {
      logger.error({ err: error }, 'websocket upgrade failed');
      socket.destroy();
    });
  };
  httpServer.on('upgrade', onUpgrade);

  function accept(ws: WebSocket, req: IncomingMessage, ip: string, socket: Duplex) {
    sockets.add(ws);
    const log = logger.child({ ws: ip });
    if (ws.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      ws.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
      return;
    }
    let initReceived = false;
    let session: Session | null = null;
    let token: string | null = null;
    let alive = true;
    const subscriptions = new Map<string, ChatSubscriber | Pending>();
    subscriptionMaps.add(subscriptions);
    const initTimer = setTimeout(() => {
      if (!session) ws.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
    }, config.WS_INIT_TIMEOUT_MS);
    const heartbeat = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, config.WS_KEEPALIVE_SECONDS * 1000);
    ws.on('pong', () => {
      alive = true;
    });
    // A logged-out, expired or deleted user's sockets close within this period.
    const sessionCheck = setInterval(() => {
      if (!token) return;
      sessions.resolve(token).then(
        (current) => {
          if (!current) ws.close(CloseCode.Forbidden, 'Forbidden: the session has ended');
        },
        () => undefined, // Redis away: keep the socket; the next check decides.
      );
    }, config.WS_SESSION_CHECK_SECONDS * 1000);

    /** False when the socket is gone, or buffers past the bound (then it is closed: a slow consumer). */
    const writable = (): boolean => {
      if (ws.readyState !== ws.OPEN) return false;
      if (ws.bufferedAmount > config.WS_MAX_BUFFERED_BYTES) {
        log.warn({ buffered: ws.bufferedAmount }, 'closing a websocket that does not read fast enough');
        ws.close(SLOW_CONSUMER_CLOSE, 'Try again later: the client reads too slowly');
        setTimeout(() => ws.terminate(), 2_000).unref();
        return false;
      }
      return true;
    };
    const send = (message: string) => {
      if (writable()) ws.send(message);
    };
    /** `{"id":…,"type":"next","payload":` per subscription id, encoded once. */
    const nextPrefixes = new Map<string, Buffer>();

    const connection: SubscriberConnection = {
      get session() {
        return session as Session;
      },
      sendNext: (id, payloads) => {
        if (!writable()) return;
        // MAX_RESPONSE_BYTES: a payload past it ends its subscription with an error instead.
        if (payloads.some((p) => p.length > config.MAX_RESPONSE_BYTES)) {
          const sub = subscriptions.get(id);
          if (sub && 'connection' in sub) hub.unsubscribe(sub);
          connection.sendError(id, [{ message: `An event's payload would be larger than ${config.MAX_RESPONSE_BYTES} bytes: select fewer fields.`, extensions: { code: RESPONSE_TOO_LARGE, maxBytes: config.MAX_RESPONSE_BYTES } }]);
          return;
        }
        deliveries += payloads.length;
        let prefix = nextPrefixes.get(id);
        if (!prefix) {
          prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
          nextPrefixes.set(id, prefix);
        }
        // The hot path of a fan-out: each frame is built in one buffer and written straight to the
        // socket (ws's sender writes synchronously without compression, so frames never
        // interleave), corked so a backlog leaves in one system call.
        if (payloads.length === 1) {
          socket.write(textFrame(prefix, payloads[0]!));
          return;
        }
        socket.cork();
        for (const payload of payloads) socket.write(textFrame(prefix, payload));
        socket.uncork();
      },
      sendError: (id, errors) => {
        nextPrefixes.delete(id);
        if (subscriptions.delete(id)) send(JSON.stringify({ id, type: MessageType.Error, payload: errors }));
      },
      sendComplete: (id) => {
        nextPrefixes.delete(id);
        if (subscriptions.delete(id)) send(JSON.stringify({ id, type: MessageType.Complete }));
      },
    };

    const fail = (id: string, errors: readonly GraphQLFormattedError[]) => {
      subscriptions.set(id, { cancelled: false });
      connection.sendError(id, errors);
    };

    async function onInit(payload: Record<string, unknown> | null | undefined) {
      const authorization = payload?.authorization;
      token = sessionTokenFrom(typeof authorization === 'string' ? { authorization } : req.headers, production);
      const resolved = token ? await sessions.resolve(token).catch(() => null) : null;
      if (!resolved) return ws.close(CloseCode.Forbidden, 'Forbidden');
      session = resolved;
      clearTimeout(initTimer);
      send(JSON.stringify({ type: MessageType.ConnectionAck }));
    }

    async function onSubscribe(id: string, payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null; extensions?: Record<string, unknown> | null }) {
      // OPERATIONS=trusted: a contract operation's text, or its hash alone (`query: ""`).
      if (trusted) {
        const verdict = trusted.resolve(payload.query, payload.extensions);
        if ('error' in verdict) return fail(id, [verdict.error]);
        payload = { ...payload, query: verdict.query };
      }
      if (subscriptions.size >= config.WS_MAX_SUBSCRIPTIONS) {
        return fail(id, [{ message: `At most ${config.WS_MAX_SUBSCRIPTIONS} subscriptions per connection.`, extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }]);
      }
      const apiSchema = schema();
      if (!apiSchema) return fail(id, [{ message: 'The schema is not loaded yet. Try again shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
      let document: DocumentNode;
      try {
        document = parse(payload.query, { maxTokens: config.MAX_TOKENS });
      } catch (error) {
        return fail(id, [{ message: error instanceof Error ? error.message : 'Syntax error', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }]);
      }
      const errors = validate(apiSchema, document, [...specifiedRules, ...validationRules]);
      if (errors.length) return fail(id, errors.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })));
      // The payload's selection at the sizes the client's variables ask for (each event resolves it).
      const definition = getOperationAST(document, payload.operationName);
      if (cost && definition) {
        try {
          cost.check(apiSchema, document, definition, payload.variables);
        } catch (error) {
          if (!(error instanceof CostLimitExceededError)) throw error;
          const { http: _http, ...extensions } = error.extensions;
          return fail(id, [{ message: error.message, extensions }]);
        }
      }
      let operation;
      try {
        operation = eventOperation(apiSchema, viewerFields, document, payload.operationName, payload.variables ?? {});
      } catch (error) {
        if (!(error instanceof EventOperationError)) throw error;
        return fail(id, [{ message: error.message, extensions: { code: 'BAD_USER_INPUT' } }]);
      }
      const pending: Pending = { cancelled: false };
      subscriptions.set(id, pending);
      const subscriber: ChatSubscriber = { id, connection, operation, lastSeq: 0 };
      try {
        await hub.subscribe(subscriber);
      } catch (error) {
        if (error instanceof SubscriptionRefused) return connection.sendError(id, error.errors);
        if (error instanceof GraphQLError) return connection.sendError(id, [error.toJSON()]);
        log.error({ err: error }, 'subscription failed');
        return connection.sendError(id, [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      }
      if (pending.cancelled || subscriptions.get(id) !== pending || ws.readyState !== ws.OPEN) {
        hub.unsubscribe(subscriber);
        return;
      }
      subscriptions.set(id, subscriber);
    }

    ws.on('message', (data, isBinary) => {
      let message: Message;
      try {
        if (isBinary) throw new Error('Binary messages are not supported');
        message = parseMessage(String(data));
      } catch (error) {
        return ws.close(CloseCode.BadRequest, reason(error instanceof Error ? error.message : 'Invalid message received'));
      }
      switch (message.type) {
        case MessageType.ConnectionInit:
          if (initReceived) return ws.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
          initReceived = true;
          void onInit(message.payload as Record<string, unknown> | undefined).catch((error: unknown) => {
            log.error({ err: error }, 'websocket init failed');
            ws.close(CloseCode.InternalServerError, 'Internal server error');
          });
          return;
        case MessageType.Ping:
          return send(JSON.stringify(message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong }));
        case MessageType.Pong:
          return;
        case MessageType.Subscribe:
          if (!session) return ws.close(CloseCode.Unauthorized, 'Unauthorized');
          if (subscriptions.has(message.id)) return ws.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${message.id} already exists`);
          void onSubscribe(message.id, message.payload).catch((error: unknown) => {
            log.error({ err: error }, 'subscription failed');
            connection.sendError(message.id, [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
          });
          return;
        case MessageType.Complete: {
          const sub = subscriptions.get(message.id);
          subscriptions.delete(message.id);
          nextPrefixes.delete(message.id);
          if (sub && 'connection' in sub) hub.unsubscribe(sub);
          else if (sub) sub.cancelled = true;
          return;
        }
        default:
          return ws.close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
      }
    });

    ws.on('close', () => {
      sockets.delete(ws);
      subscriptionMaps.delete(subscriptions);
      clearTimeout(initTimer);
      clearInterval(heartbeat);
      clearInterval(sessionCheck);
      for (const sub of subscriptions.values()) {
        if ('connection' in sub) hub.unsubscribe(sub);
        else sub.cancelled = true;
      }
      subscriptions.clear();
    });
    ws.on('error', () => undefined);
  }

  return {
    /** Open client sockets (tests and metrics). */
    get connections() {
      return sockets.size;
    },
    /** Subscriptions running (joined the hub) over every connection (metrics). */
    get subscriptions() {
      let n = 0;
      for (const map of subscriptionMaps) for (const sub of map.values()) if ('connection' in sub) n += 1;
      return n;
    },
    /** `next` messages handed to sockets so far (metrics). */
    get deliveries() {
      return deliveries;
    },
    /** Upgrades refused by the per-IP connection limit so far (metrics). */
    get refusedUpgrades() {
      return refusedUpgrades;
    },
    /**
     * Graceful shutdown: refuse new sockets, finish the deliveries in flight, then close every
     * socket with 1001 so clients reconnect (to another instance) and resume with `after`.
     */
    async close(): Promise<void> {
      closing = true;
      httpServer.off('upgrade', onUpgrade);
      await hub.drain().catch(() => undefined);
      const closed = [...sockets].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            ws.close(GOING_AWAY_CLOSE, 'Going away: the server is shutting down');
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, 2_000).unref();
          }),
      );
      await Promise.all(closed);
      wss.close();
    },
  };
}

/**
 * One final, unmasked text frame (RFC 6455 §5.2: a server never masks) carrying
 * `prefix + payload + "}"`: a graphql-ws `next` message whose payload was serialised once.
 */
export function textFrame(prefix: Buffer, payload: Buffer): Buffer {
  const length = prefix.length + payload.length + 1;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81; // FIN + text
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  prefix.copy(frame, header);
  payload.copy(frame, header + prefix.length);
  frame[header + length - 1] = 0x7d; // }
  return frame;
}

function parseBytes(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!match) return 100 * 1024;
  const unit = match[2]!.toLowerCase();
  return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}
