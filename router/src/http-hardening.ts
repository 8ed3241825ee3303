import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express } from 'express';
import helmet from 'helmet';
import type { RouterConfig } from './config.js';

/** The Express app every router route hangs off: proxy trust, security headers, CORS allow-list. */
export function hardenedApp(config: RouterConfig): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  // Nothing of the API belongs in a frame: CSP frame-ancestors 'none' and X-Frame-Options DENY
  // (helmet's defaults say 'self' and SAMEORIGIN). The explorer's page sets its own CSP.
  app.use(helmet({ contentSecurityPolicy: { directives: { frameAncestors: ["'none'"] } }, xFrameOptions: { action: 'deny' } }));
  app.use(cors({ origin: config.CORS_ORIGINS, credentials: true, maxAge: 600 }));
  return app;
}

/** JSON bodies up to BODY_LIMIT; a larger or malformed body is a GraphQL-shaped 413 / 400. */
export function jsonBody(config: RouterConfig) {
  const bodyErrors: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, next) => {
    if (!error.status || error.status >= 500) return next(error);
    const tooLarge = error.type === 'entity.too.large';
    res.status(error.status).json({
      errors: [
        {
          message: tooLarge ? `Request body is larger than ${config.BODY_LIMIT}.` : 'Malformed request body.',
          extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' },
        },
      ],
    });
  };
  return [express.json({ limit: config.BODY_LIMIT }), bodyErrors] as const;
}

const TOO_MANY_CONNECTIONS =
  'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 43\r\n\r\nToo many open connections from your address';

/**
 * Time limits and a per-address connection cap on the router's HTTP server, against clients that
 * hold sockets open: a request (headers and body) must arrive within HTTP_REQUEST_TIMEOUT_MS
 * (408 past it), its headers within HTTP_HEADERS_TIMEOUT_MS; idle keep-alive sockets keep Node's
 * keepAliveTimeout. WebSockets leave both: once upgraded a socket is no longer an HTTP request,
 * and it no longer counts toward HTTP_MAX_CONNECTIONS_PER_IP (the WebSocket endpoint has its own
 * per-address and total limits). `trusted(address)`: Express's `trust proxy`, whose proxies speak
 * for many clients and are not capped.
 */
export function hardenHttpServer(server: Server, config: RouterConfig, trusted: (address: string, hop: number) => boolean): void {
  server.requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS);
  // Node checks both timeouts on this interval (30 s by default, which would double them); it is
  // read when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    250,
    Math.min(5_000, Math.floor(server.headersTimeout / 4)),
  );
  const cap = config.HTTP_MAX_CONNECTIONS_PER_IP;
  if (cap === 0) return;
  const open = new Map<string, number>();
  const counted = new WeakSet<Socket>();
  const release = (socket: Socket, address: string) => {
    if (!counted.delete(socket)) return;
    const left = (open.get(address) ?? 1) - 1;
    if (left > 0) open.set(address, left);
    else open.delete(address);
  };
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (!address || trusted(address, 0)) return;
    const count = open.get(address) ?? 0;
    if (count >= cap) {
      socket.on('error', () => undefined);
      socket.end(TOO_MANY_CONNECTIONS);
      setTimeout(() => socket.destroy(), 1_000).unref();
      return;
    }
    open.set(address, count + 1);
    counted.add(socket);
    socket.once('close', () => release(socket, address));
  });
  server.on('upgrade', (req: { socket: Socket }) => {
    const address = req.socket.remoteAddress;
    if (address) release(req.socket, address);
  });
}
