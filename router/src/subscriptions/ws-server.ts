import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyaddr from 'proxy-addr';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { SessionStore, duplicateRedis, type Logger, type Redis } from '@stagelives/platform';
import type { RouterConfig } from '../config.js';
import type { ChatHub } from './chat-hub.js';
import { FrameWriter } from './frame-writer.js';
import { createProtocolServer } from './protocol-server.js';
import type { SubscriptionCore } from './subscription-core.js';
import { newConnectionLimit } from './connection-rate.js';

/** Close code for a client that does not read fast enough (RFC 6455 "Try Again Later"). */
const SLOW_CONSUMER_CLOSE = 1013;
/** Close code at shutdown (RFC 6455 "Going Away"): clients reconnect, to another instance, with `after`. */
const GOING_AWAY_CLOSE = 1001;

export interface SubscriptionServerOptions {
  httpServer: Server;
  /** The protocol-independent part of subscriptions, shared with the graphql-sse endpoint (sse/). */
  core: SubscriptionCore;
  config: RouterConfig;
  logger: Logger;
  redis: Redis;
  hub: ChatHub;
  /** Express's compiled `trust proxy` function, for the client address. */
  trustProxy: (addr: string, hop: number) => boolean;
}

/**
 * The router's graphql-ws endpoint (`graphql-transport-ws` protocol) on `/graphql`, beside
 * HTTP. Written on `ws` rather than graphql-ws's server because every event's payload is
 * serialised once for all subscribers of a group (see ChatHub), which graphql-ws's per-subscriber
 * execution cannot do; the protocol and its close codes are graphql-ws's own.
 *
 * This is the transport, as graphql-ws's `use/ws`: upgrade checks (path, shutdown, capacity,
 * origin, per-IP rate), the subprotocol, keep-alive pings, the slow-consumer cut-off and the
 * frames of `next` messages (written by a FrameWriter: one write per socket per flush). The
 * protocol itself is `createProtocolServer` (protocol-server.ts).
 */
export function createSubscriptionServer({ httpServer, config, logger, redis, core, hub, trustProxy }: SubscriptionServerOptions) {
  const wss = new WebSocketServer({
    noServer: true,
    // Off: compression would cost each delivery CPU, and the FrameWriter writes `next` frames itself.
    perMessageDeflate: false,
    maxPayload: parseBytes(config.BODY_LIMIT),
    handleProtocols: (protocols) => (protocols.has(GRAPHQL_TRANSPORT_WS_PROTOCOL) ? GRAPHQL_TRANSPORT_WS_PROTOCOL : false),
  });
  const admitConnection = newConnectionLimit(config, redis, 'ws');
  const protocol = createProtocolServer({ config, core });
  const writer = new FrameWriter();
  // A user's sessions announced as changed (roles granted or revoked, sessions ended: a suspension,
  // a password change): their connections (WebSocket and SSE: the core holds both) re-check at
  // once instead of at the next periodic check.
  const sessionChanges = duplicateRedis(redis, {
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    connectionName: `${config.REDIS_PREFIX.replace(/[^A-Za-z0-9_:.-]/g, '')}session-changes`,
  });
  sessionChanges.on('error', () => undefined);
  const changesChannel = SessionStore.changesChannel(config.REDIS_PREFIX);
  sessionChanges.on('message', (channel: string, userId: string) => {
    if (channel === changesChannel) core.sessionsChanged(userId);
  });
  sessionChanges
    .subscribe(changesChannel)
    .catch((error: unknown) => logger.warn({ err: error }, 'session changes: subscribe failed; sockets re-check periodically'));
  const sockets = new Set<WebSocket>();
  let closing = false;
  /** Metrics, read at scrape time. */
  let refusedUpgrades = 0;

  function refuseUpgrade(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}) {
    const extra = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
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
      if (!originAllowed(req, config)) return refuseUpgrade(socket, 403, 'Forbidden');
      const ip = proxyaddr(req, trustProxy);
      const retryAfter = await admitConnection(ip);
      if (retryAfter !== null) {
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
    ws.on('error', () => undefined);
    // A child logger per socket would cost every socket a few hundred bytes; it is made on first use.
    let child: Logger | undefined;
    const log = {
      warn: (details: object, message: string) => (child ??= logger.child({ ws: ip })).warn(details, message),
      error: (details: object, message: string) => (child ??= logger.child({ ws: ip })).error(details, message),
    };
    if (ws.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      ws.on('close', () => sockets.delete(ws));
      ws.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
      return;
    }
    const isOpen = () => ws.readyState === ws.OPEN;
    // `next` frames wait here for the writer's next flush. Anything else ws writes itself, at once
    // (its sender writes synchronously without compression, so frames never interleave): a
    // control message or a close flushes the waiting frames first, to keep the order.
    const outbox = writer.outbox(socket, isOpen);
    const connection = protocol.opened(
      {
        isOpen,
        // A client that does not read fast enough is closed rather than buffered for. Frames
        // waiting in the outbox are the router's own backlog, not the client's: they do not count.
        writable: () => {
          if (ws.readyState !== ws.OPEN) return false;
          if (ws.bufferedAmount > config.WS_MAX_BUFFERED_BYTES) {
            log.warn({ buffered: ws.bufferedAmount }, 'closing a websocket that does not read fast enough');
            writer.discard(outbox);
            ws.close(SLOW_CONSUMER_CLOSE, 'Try again later: the client reads too slowly');
            setTimeout(() => ws.terminate(), 2_000).unref();
            return false;
          }
          return true;
        },
        send: (message) => {
          writer.flush(outbox);
          ws.send(message);
        },
        writeNext: (prefix, payloads) => writer.enqueue(outbox, prefix, payloads),
        close: (code, text) => {
          writer.flush(outbox);
          ws.close(code, text);
        },
      },
      { headers: req.headers, log },
    );
    let alive = true;
    const heartbeat = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, config.WS_KEEPALIVE_SECONDS * 1000);
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(CloseCode.BadRequest, 'Binary messages are not supported');
      connection.message(String(data));
    });
    ws.on('close', () => {
      sockets.delete(ws);
      writer.discard(outbox);
      clearInterval(heartbeat);
      connection.closed();
    });
  }

  return {
    /** Open client sockets (tests and metrics). */
    get connections() {
      return sockets.size;
    },
    /** Subscriptions running (joined the hub) over every connection (metrics). */
    get subscriptions() {
      return core.subscriptions;
    },
    /** `next` messages handed to connections so far, SSE included (metrics). */
    get deliveries() {
      return core.deliveries;
    },
    /** Socket writes of `next` frames so far, and the frames in them (metrics, tests: frames per write). */
    get writes() {
      return { writes: writer.writes, frames: writer.frames };
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
      writer.flushAll();
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
      sessionChanges.disconnect();
      wss.close();
    },
  };
}

/**
 * Whether a browser's page may open a live connection (WebSocket or event stream) with the
 * user's cookie: no Origin (not a browser), an allowed CORS origin, or the router's own host
 * (cross-site WebSocket hijacking; a browser always sends its page's origin).
 */
export function originAllowed(req: IncomingMessage, config: Pick<RouterConfig, 'CORS_ORIGINS'>): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (config.CORS_ORIGINS.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function parseBytes(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!match) return 100 * 1024;
  const unit = match[2]!.toLowerCase();
  return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}
