import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import { createHandler, type RequestParams } from 'graphql-sse';
import proxyaddr from 'proxy-addr';
import type { Logger, Redis } from '@stagelives/platform';
import type { RouterConfig } from '../config.js';
import { sessionTokenFrom } from '../sessions.js';
import type { SubscriptionConnection, SubscriptionCore } from '../subscriptions/subscription-core.js';
import { originAllowed } from '../subscriptions/ws-server.js';
import { newConnectionLimit } from '../subscriptions/connection-rate.js';

/** Where the router serves GraphQL over Server-Sent Events (graphql-sse, distinct connections mode). */
export const SSE_PATH = '/graphql/stream';

/** The one subscription of a distinct-connections stream. */
const STREAM_ID = 'sse';

export interface SseServerOptions {
  config: RouterConfig;
  logger: Logger;
  redis: Redis;
  /** The protocol-independent part of subscriptions, shared with the graphql-ws endpoint. */
  core: SubscriptionCore;
  /** Express's compiled `trust proxy` function, for the client address. */
  trustProxy: (addr: string, hop: number) => boolean;
}

/** What the handler's `onSubscribe` gets of the stream it runs on. */
interface StreamContext {
  connection: SubscriptionConnection;
  results: ResultQueue;
  userId: string;
}

const json = (status: number, errors: GraphQLFormattedError[], headers: Record<string, string> = {}) =>
  [JSON.stringify({ errors }), { status, statusText: '', headers: { 'content-type': 'application/json; charset=utf-8', ...headers } }] as const;

/**
 * The results of a stream's one subscription, as graphql-sse reads them: an async generator
 * (`return()` is how graphql-sse ends it when the client goes) fed by the subscription core.
 */
class ResultQueue implements AsyncGenerator<ExecutionResult, undefined> {
  private readonly queue: ExecutionResult[] = [];
  private wake: (() => void) | null = null;
  private done = false;

  constructor(private readonly onEnd: () => void) {}

  push(result: ExecutionResult): void {
    if (this.done) return;
    this.queue.push(result);
    this.wake?.();
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.wake?.();
    this.onEnd();
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    for (;;) {
      const value = this.queue.shift();
      if (value) return { done: false, value };
      if (this.done) return { done: true, value: undefined };
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.queue.length = 0;
    this.end();
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  async [Symbol.asyncDispose]() {
    await this.return();
  }
}

/**
 * GraphQL over Server-Sent Events on `SSE_PATH`, with the `graphql-sse` package's handler, in
 * its "distinct connections" mode (one stream per subscription: `Accept: text/event-stream`,
 * GET or POST). Every subscription field the WebSocket endpoint serves, on the same
 * protocol-independent core (subscription-core.ts): the session (cookie or bearer, re-checked
 * like a socket's: an ended session ends the stream), the trusted-operations rule, the operation
 * limits and cost, the hub (membership checks, `after` replay, groups) and MAX_RESPONSE_BYTES,
 * with the same error codes. Its own limits mirror the socket's: streams per router
 * (WS_MAX_CONNECTIONS, shared count with nothing: each transport has its own), new streams per
 * address and minute (WS_CONNECTIONS_PER_MINUTE), and open streams per user
 * (WS_MAX_SUBSCRIPTIONS: a user holds as many streams as one socket holds subscriptions); a
 * client that does not read fast enough (WS_MAX_BUFFERED_BYTES) is cut off.
 *
 * The single-connection mode (a reserved stream with operations posted to it) is not served: its
 * reservation would be an unauthenticated resource; requests that are not an event stream are 406.
 */
export function createSseServer({ config, logger, redis, core, trustProxy }: SseServerOptions) {
  const production = config.NODE_ENV === 'production';
  const admitConnection = newConnectionLimit(config, redis, 'sse');
  const streams = new Set<Response>();
  const streamsByUser = new Map<string, number>();
  let closing = false;

  const handler = createHandler<IncomingMessage, StreamContext>({
    // Every stream is authenticated before the handler runs; a client-chosen token would only
    // select the single-connection mode, which is not served.
    authenticate: () => null as unknown as string,
    onSubscribe: async (req, params: RequestParams) => {
      const { connection, results, userId } = req.context;
      // The user's open streams, this one included: over the limit it ends at once, with the socket's code.
      if ((streamsByUser.get(userId) ?? 0) > config.WS_MAX_SUBSCRIPTIONS) {
        results.push({
          errors: [{ message: `At most ${config.WS_MAX_SUBSCRIPTIONS} open streams per user.`, extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }],
        } as unknown as ExecutionResult);
        results.end();
        return results;
      }
      await connection.subscribe(STREAM_ID, {
        query: params.query,
        operationName: params.operationName ?? null,
        variables: params.variables ?? null,
        extensions: params.extensions ?? null,
      });
      return results;
    },
  });

  const middleware: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'POST') return next();
    serve(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'sse stream failed');
      if (!res.headersSent) res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    });
  };

  async function serve(req: Request, res: Response) {
    const reply = ([body, init]: readonly [string, { status: number; headers?: Record<string, string> }]) => {
      res.writeHead(init.status, init.headers);
      res.end(body);
    };
    if (req.headers.accept !== 'text/event-stream') {
      return reply(
        json(406, [
          {
            message: `Open an event stream (Accept: text/event-stream): ${SSE_PATH} serves graphql-sse's distinct connections mode.`,
            extensions: { code: 'BAD_REQUEST' },
          },
        ]),
      );
    }
    if (closing) return reply(json(503, [{ message: 'The server is shutting down.', extensions: { code: 'SERVICE_UNAVAILABLE' } }], { 'retry-after': '5' }));
    if (streams.size >= config.WS_MAX_CONNECTIONS)
      return reply(json(503, [{ message: 'Too many open streams. Try again shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } }], { 'retry-after': '5' }));
    // Cross-site: a page of another origin may not open a stream with the user's cookie.
    if (!originAllowed(req, config)) return reply(json(403, [{ message: 'Forbidden origin.', extensions: { code: 'FORBIDDEN' } }]));
    const retryAfter = await admitConnection(proxyaddr(req, trustProxy));
    if (retryAfter !== null) {
      return reply(
        json(429, [{ message: 'Too many new streams from your address.', extensions: { code: 'RATE_LIMITED', retryAfter } }], {
          'retry-after': String(retryAfter),
        }),
      );
    }

    let connection: SubscriptionConnection | null = null;
    const results = new ResultQueue(() => connection?.closed());
    const log = logger.child({ sse: req.ip });
    connection = core.connect(
      {
        isOpen: () => !res.destroyed && !res.writableEnded,
        // A client that does not read fast enough is cut off rather than buffered for.
        writable: () => {
          if (res.destroyed || res.writableEnded) return false;
          if (res.writableLength > config.WS_MAX_BUFFERED_BYTES) {
            log.warn({ buffered: res.writableLength }, 'closing an event stream that does not read fast enough');
            res.destroy();
            return false;
          }
          return true;
        },
        next: (_id, payloads) => {
          for (const payload of payloads) results.push(JSON.parse(payload.toString('utf8')) as ExecutionResult);
        },
        error: (_id, errors) => {
          results.push({ errors } as unknown as ExecutionResult);
          results.end();
        },
        complete: () => results.end(),
        sessionEnded: () => {
          results.push({ errors: [{ message: 'The session has ended.', extensions: { code: 'UNAUTHENTICATED' } }] } as unknown as ExecutionResult);
          results.end();
        },
      },
      log,
    );
    if (!(await connection.authenticate(sessionTokenFrom(req.headers, production)))) {
      connection.closed();
      return reply(
        json(401, [{ message: 'Sign in to subscribe: send the session cookie or `Authorization: Bearer <token>`.', extensions: { code: 'UNAUTHENTICATED' } }]),
      );
    }
    const userId = connection.session!.userId;
    streamsByUser.set(userId, (streamsByUser.get(userId) ?? 0) + 1);
    streams.add(res);
    res.once('close', () => {
      streams.delete(res);
      const left = (streamsByUser.get(userId) ?? 1) - 1;
      if (left > 0) streamsByUser.set(userId, left);
      else streamsByUser.delete(userId);
      void results.return();
    });

    const [body, init] = await handler({
      method: req.method,
      url: req.url,
      headers: {
        get: (key: string) => {
          const header = req.headers[key];
          return Array.isArray(header) ? header.join('\n') : header;
        },
      },
      body: () => Promise.resolve(req.body as Record<string, unknown> | string),
      raw: req,
      context: { connection, results, userId },
    });
    // Proxies must not buffer the stream (nginx).
    res.writeHead(init.status, init.statusText, { ...init.headers, 'x-accel-buffering': 'no' });
    if (!body || typeof body === 'string') {
      res.end(body);
      return;
    }
    res.once('close', () => void body.return(undefined));
    // Written as they come (not awaiting each flush), so `res.writableLength` is the client's backlog.
    for await (const chunk of body) {
      if (res.destroyed || res.writableEnded) break;
      res.write(chunk);
    }
    res.end();
  }

  return {
    path: SSE_PATH,
    middleware,
    /** Open event streams (tests and metrics). */
    get connections() {
      return streams.size;
    },
    /**
     * Graceful shutdown: refuse new streams and end the open ones without `complete`, so clients
     * reconnect (to another instance) and resume with `after`.
     */
    async close(): Promise<void> {
      closing = true;
      for (const res of streams) res.end();
    },
  };
}
