import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express } from 'express';
import helmet from 'helmet';
import type { RouterConfig } from './config.js';

/**
 * The security headers of every answer (helmet's, with the API's frame rules): nothing of the API
 * belongs in a frame, so CSP frame-ancestors 'none' and X-Frame-Options DENY (helmet's defaults
 * say 'self' and SAMEORIGIN). The explorer's page sets its own CSP. With these options helmet's
 * headers do not depend on the request: they are read once, here, as name/value pairs, and set
 * from that list on every answer (Express routes and the GraphQL path alike).
 */
export function securityHeaders(): ReadonlyArray<readonly [string, string]> {
  const headers: Array<[string, string]> = [];
  let done = false;
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => void headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  helmet({ contentSecurityPolicy: { directives: { frameAncestors: ["'none'"] } }, xFrameOptions: { action: 'deny' } })(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error;
      done = true;
    },
  );
  // Synchronous by design (helmet 8): a version that is not would leave the list short.
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be computed once');
  return headers;
}

/**
 * CORS headers of an actual (not preflight) request, as the `cors` middleware sets them with the
 * allow-list and credentials: the origin echoed when it is allowed, `Vary: Origin`, credentials
 * allowed. Preflights (OPTIONS) are the middleware's, on the Express app.
 */
export function corsHeaders(config: Pick<RouterConfig, 'CORS_ORIGINS'>): (req: IncomingMessage, res: ServerResponse) => void {
  const allowed = new Set(config.CORS_ORIGINS);
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin !== undefined && allowed.has(origin)) res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
  };
}

/** The Express app every router route hangs off: proxy trust, security headers, CORS allow-list. */
export function hardenedApp(config: RouterConfig, headers: ReadonlyArray<readonly [string, string]> = securityHeaders()): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.use((_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  });
  app.use(cors({ origin: config.CORS_ORIGINS, credentials: true, maxAge: 600 }));
  return app;
}

/** Bytes of BODY_LIMIT (`100kb`: 102,400), as the JSON body parser reads it. */
export function bodyLimitBytes(limit: string): number {
  const [, digits = '0', unit = 'b'] = /^(\d+)(b|kb|mb)$/i.exec(limit) ?? [];
  return Number(digits) * ({ b: 1, kb: 1024, mb: 1024 * 1024 } as Record<string, number>)[unit.toLowerCase()]!;
}

/** The answer to a body the JSON parser refused (too large, malformed, unsupported): GraphQL-shaped; undefined for a server error. */
export function bodyErrorAnswer(config: Pick<RouterConfig, 'BODY_LIMIT'>, error: { status?: number; type?: string }) {
  if (!error.status || error.status >= 500) return undefined;
  const tooLarge = error.type === 'entity.too.large';
  return {
    status: error.status,
    body: {
      errors: [
        {
          message: tooLarge ? `Request body is larger than ${config.BODY_LIMIT}.` : 'Malformed request body.',
          extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' },
        },
      ],
    },
  };
}

/** JSON bodies up to BODY_LIMIT; a larger or malformed body is a GraphQL-shaped 413 / 400. */
export function jsonBody(config: RouterConfig) {
  const bodyErrors: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, next) => {
    const answer = bodyErrorAnswer(config, error);
    if (!answer) return next(error);
    res.status(answer.status).json(answer.body);
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
