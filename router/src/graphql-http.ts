import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { RequestHandler } from 'express';
import proxyaddr from 'proxy-addr';
import type { Logger } from '@stagelives/platform';
import type { RouterConfig } from './config.js';
import type { RouterContext } from './context.js';
import { bodyErrorAnswer, bodyLimitBytes, corsHeaders } from './http-hardening.js';
import type { TrustedOperations } from './trusted-operations.js';

type Request = IncomingMessage & { ip?: string | undefined; body?: unknown };

export interface GraphqlHttpDeps {
  apollo: ApolloServer<RouterContext>;
  config: RouterConfig;
  buildContext: (req: Request) => Promise<RouterContext>;
  /** The security headers every answer carries (http-hardening.ts, computed once). */
  headers: ReadonlyArray<readonly [string, string]>;
  /** Express's `trust proxy` function: the client's address as `req.ip` gives it. */
  trustProxy: (address: string, hop: number) => boolean;
  /** Express's JSON body parser (`express.json`), for the bodies this path does not read itself. */
  jsonParser: RequestHandler;
  trusted: TrustedOperations | undefined;
  /** Whether GET /graphql may be the explorer's page (explorer/explorer.ts). */
  explorer: boolean;
  logger: Logger;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The first character that is not JSON whitespace (RFC 7159), as the JSON body parser's strict mode finds it. */
const FIRST_NON_WHITESPACE = /^[ \t\n\r]*([^ \t\n\r]|$)/;

/** Express's final handler's page for an error it did not expect, as in production (no stack). */
const SERVER_ERROR_PAGE =
  '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Internal Server Error</pre>\n</body>\n</html>\n';

/** Content types whose body this path reads itself: JSON in UTF-8, as almost every client sends it. */
const PLAIN_JSON = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** The weak ETag Express's `res.send` gives a body (its default `etag fn`: the `etag` package's, weak). */
function weakEtag(body: string, length: number): string {
  if (length === 0) return 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';
  return `W/"${length.toString(16)}-${createHash('sha1').update(body, 'utf8').digest('base64').substring(0, 27)}"`;
}

/** A body this path refused, typed as the JSON body parser types its errors (`bodyErrorAnswer` reads both). */
class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
  ) {
    super(type);
  }
}

/**
 * POST and GET on /graphql without Express: Apollo Server's `executeHTTPGraphQLRequest` behind
 * what Express ran before it — the security headers, CORS, the JSON body (up to BODY_LIMIT, with
 * the same 413/400 answers), the trusted-operations check — and the answer written as Express's
 * `res.send` wrote it (Content-Length, a weak ETag). The function returned answers the requests
 * it recognises and returns false for every other one, which the Express app serves as before:
 * preflights, HEAD, conditional GETs, the explorer's page, `/graphql/…`, other spellings of the
 * path, the REST shim, health and metrics.
 */
export function graphqlHttp(deps: GraphqlHttpDeps): (req: Request, res: ServerResponse) => boolean {
  const { apollo, config, buildContext, headers, trustProxy, jsonParser, trusted, explorer, logger } = deps;
  const cors = corsHeaders(config);
  const limit = bodyLimitBytes(config.BODY_LIMIT);

  const send = (res: ServerResponse, status: number, body: string, contentType?: string) => {
    if (contentType) res.setHeader('Content-Type', contentType);
    res.statusCode = status;
    // As Express's res.send: the length, a weak ETag, and no body where the status has none.
    if (status === 204 || status === 304) {
      res.removeHeader('Content-Type');
      res.removeHeader('Content-Length');
      res.removeHeader('Transfer-Encoding');
      res.end();
      return;
    }
    const length = Buffer.byteLength(body, 'utf8');
    res.setHeader('Content-Length', length);
    res.setHeader('ETag', weakEtag(body, length));
    // A string, not a Buffer: Node writes the head and a UTF-8 body in one system call.
    res.end(body, 'utf8');
  };
  const sendJson = (res: ServerResponse, status: number, value: unknown) => send(res, status, JSON.stringify(value), JSON_TYPE);

  /** The body as JSON: read here for plain UTF-8 JSON with a length, else by Express's parser (encodings, charsets, chunked bodies). */
  const readBody = (req: Request, res: ServerResponse): Promise<unknown> => {
    const type = req.headers['content-type'];
    const length = req.headers['content-length'];
    const encoding = req.headers['content-encoding'];
    const plain =
      type !== undefined &&
      PLAIN_JSON.test(type) &&
      (encoding === undefined || encoding.toLowerCase() === 'identity') &&
      length !== undefined &&
      /^\d+$/.test(length) &&
      Number(length) <= limit &&
      req.headers['transfer-encoding'] === undefined;
    if (!plain) {
      return new Promise((resolve, reject) =>
        jsonParser(req as Parameters<RequestHandler>[0], res as Parameters<RequestHandler>[1], (error?: unknown) =>
          error ? reject(error) : resolve(req.body),
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        chunks.push(chunk);
      });
      // A client gone mid-body: Node destroys the request with an error ("aborted").
      req.once('error', () => reject(new BodyError(400, 'request.aborted')));
      req.once('end', () => {
        const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8');
        // As the parser's strict mode: an empty body is {}, anything but an object or array is refused.
        if (text.length === 0) return resolve({});
        if (text[0] !== '{' && text[0] !== '[') {
          const first = FIRST_NON_WHITESPACE.exec(text)?.[1];
          if (first !== '{' && first !== '[') return reject(new BodyError(400, 'entity.parse.failed'));
        }
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new BodyError(400, 'entity.parse.failed'));
        }
      });
    });
  };

  const serve = async (req: Request, res: ServerResponse, url: string) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    cors(req, res);
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = await readBody(req, res);
      } catch (error) {
        const answer = bodyErrorAnswer(config, error as { status?: number; type?: string });
        if (!answer) throw error;
        sendJson(res, answer.status, answer.body);
        return;
      }
    }
    const refusal = trusted?.refusalOf(req.method, url, body);
    if (refusal) {
      sendJson(res, refusal.status, { errors: [refusal.error] });
      return;
    }
    req.ip = req.socket.remoteAddress === undefined ? undefined : proxyaddr(req, trustProxy);
    const requestHeaders = new HeaderMap();
    for (const name in req.headers) {
      const value = req.headers[name];
      if (value !== undefined) requestHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const query = url.indexOf('?');
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers: requestHeaders, search: query < 0 ? '' : url.slice(query), body },
      context: () => buildContext(req),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    if (response.body.kind === 'complete') {
      send(res, response.status ?? 200, response.body.string);
      return;
    }
    res.statusCode = response.status ?? 200;
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    const url = req.url ?? '';
    if (!(url === '/graphql' || url.startsWith('/graphql?'))) return false;
    if (req.method === 'GET') {
      // Express's: a conditional GET (its freshness check), and what may be the explorer's page.
      if (req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined) return false;
      if (explorer) {
        const query = url.indexOf('?');
        const search = new URLSearchParams(query < 0 ? '' : url.slice(query + 1));
        if (!search.has('query') && !search.has('extensions')) return false;
      }
    } else if (req.method !== 'POST') return false;
    serve(req, res, url).catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'GraphQL HTTP request failed');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.setHeader('Content-Security-Policy', "default-src 'none'");
      res.setHeader('X-Content-Type-Options', 'nosniff');
      send(res, 500, SERVER_ERROR_PAGE, 'text/html; charset=utf-8');
    });
    return true;
  };
}
