import { HeaderMap, type ApolloServer } from '@apollo/server';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Logger } from '@stagelives/platform';
import { escapeRegExp, httpStatusOf } from '@stagelives/schema';
import type { RouterContext } from '../context.js';
import { loadContractOperations, type ContractDocument } from './contract-operations.js';
import { REST_PREFIXES, REST_ROUTES, type RestRoute } from './routes.js';
import { RestError, restFieldOf, toVariables, variablesOf, type VariableInfo } from './variables.js';

export interface RestShimDeps {
  apollo: ApolloServer<RouterContext>;
  /** The router's own per-request context builder (session, client IP, request id). */
  buildContext: (req: Request) => Promise<RouterContext>;
  /** The router's current API schema (undefined until the gateway has loaded it). */
  schema: () => GraphQLSchema | undefined;
  bodyLimit: string;
  logger: Logger;
  routes?: readonly RestRoute[];
  operations?: Map<string, ContractDocument>;
}

/** Error codes of the graph → HTTP status of the REST answer; anything unlisted is a 500. */
const STATUS_OF: Record<string, number> = {
  ...httpStatusOf,
  GRAPHQL_VALIDATION_FAILED: 400,
  GRAPHQL_PARSE_FAILED: 400,
  BAD_REQUEST: 400,
  ALREADY_EXISTS: 409,
  // A subgraph timed out, refused or has its breaker open (router/src/resilience/), and the answer needed it.
  SUBGRAPH_UNAVAILABLE: 503,
};

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sendError(
  res: Response,
  { status, code, message, field, until }: { status: number; code: string; message: string; field?: string | undefined; until?: string | null | undefined },
) {
  res.status(status).json({ error: { code, message, ...(field ? { field } : {}), ...(until !== undefined ? { until } : {}) } });
}

/** Follows `a.b` in `data`; `missing` tells whether a null/absent value was met on the way. */
function dig(data: Record<string, unknown> | null | undefined, path: string): { value: unknown; missing: boolean } {
  let value: unknown = data;
  for (const key of path.split('.')) {
    if (value === null || value === undefined || typeof value !== 'object') return { value: undefined, missing: true };
    value = (value as Record<string, unknown>)[key];
  }
  return { value, missing: value === null || value === undefined };
}

interface Connection {
  edges: Array<{ node: unknown }>;
  pageInfo: { hasNextPage?: boolean; endCursor?: string | null; hasPreviousPage?: boolean; startCursor?: string | null };
}

/** The REST error of a GraphQL error: its code's status, the field as the client named it, nothing internal. */
function restErrorOf(route: RestRoute, error: GraphQLFormattedError, httpStatus: number | undefined): RestError {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
  const status = STATUS_OF[code] ?? (httpStatus && httpStatus >= 400 && httpStatus < 500 ? httpStatus : 500);
  if (status >= 500 && code !== 'SERVICE_UNAVAILABLE' && code !== 'SUBGRAPH_UNAVAILABLE')
    return new RestError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  const varField = typeof error.extensions?.field === 'string' ? error.extensions.field : undefined;
  const field = varField ? restFieldOf(route, varField) : undefined;
  // The message names the variable path (`input.email`): name it as the request did (`email`), whole words only.
  const message =
    varField && field && field !== varField ? error.message.replace(new RegExp(`(?<![\\w.])${escapeRegExp(varField)}(?![\\w])`, 'g'), field) : error.message;
  // ACCOUNT_SUSPENDED says until when, as on /graphql.
  const until = code === 'ACCOUNT_SUSPENDED' ? ((error.extensions?.until as string | null | undefined) ?? null) : undefined;
  return new RestError(status, code, message, field, until);
}

function graphqlHeaders(req: Request): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * The legacy REST shim: each route of `REST_ROUTES` runs its one contract operation through
 * the router's own Apollo pipeline (operation limits, rate limits, session cookie, access log,
 * sessions and authorization exactly as on /graphql) and answers with rest.md's envelopes.
 */
export function restShim({ apollo, buildContext, schema, bodyLimit, logger, routes = REST_ROUTES, operations = loadContractOperations() }: RestShimDeps) {
  for (const route of routes) {
    if (!operations.has(route.operation)) throw new Error(`REST route ${route.method} ${route.path}: no contract operation ${route.operation}`);
  }
  // Variable types per schema (the gateway may load a new one).
  let typed: { schema: GraphQLSchema; vars: Map<RestRoute, Map<string, VariableInfo>> } | undefined;
  const varsOf = (current: GraphQLSchema, route: RestRoute) => {
    if (typed?.schema !== current) typed = { schema: current, vars: new Map(routes.map((r) => [r, variablesOf(current, operations.get(r.operation)!)])) };
    return typed.vars.get(route)!;
  };

  const router = express.Router();
  const prefixes = [...REST_PREFIXES];

  router.use(prefixes, (req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    if (!STATE_CHANGING.has(req.method)) return next();
    const contentType = req.headers['content-type'];
    const json = typeof contentType === 'string' && JSON_TYPE.test(contentType);
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !json) {
      return sendError(res, { status: 400, code: 'BAD_REQUEST', message: 'Send the body as Content-Type: application/json.', field: 'body' });
    }
    // CSRF: a cross-site page can POST a form or text/plain without a preflight, carrying the
    // cookie. Such a POST needs a JSON content type or a header no simple request can carry.
    if (req.method === 'POST' && !json && !req.headers.authorization && !req.headers['x-requested-with'] && !req.headers['apollo-require-preflight']) {
      return sendError(res, {
        status: 400,
        code: 'BAD_REQUEST',
        message:
          'This request has been blocked as a potential Cross-Site Request Forgery: send Content-Type: application/json (an empty body is fine) or an Authorization header.',
      });
    }
    next();
  });
  router.use(prefixes, express.json({ limit: bodyLimit, strict: true, type: (req) => JSON_TYPE.test(String(req.headers['content-type'] ?? '')) }));

  const handle = (route: RestRoute): RequestHandler => {
    const op = operations.get(route.operation)!;
    return async (req, res) => {
      try {
        const current = schema();
        if (!current) throw new RestError(503, 'SERVICE_UNAVAILABLE', 'The API is starting. Please try again shortly.');
        const queryAt = req.originalUrl.indexOf('?');
        const search = new URLSearchParams(queryAt >= 0 ? req.originalUrl.slice(queryAt + 1) : '');
        const variables = toVariables(route, varsOf(current, route), { params: req.params as Record<string, string>, search, body: req.body as unknown });
        const contextValue = await buildContext(req);
        const response = await apollo.executeOperation(
          {
            query: op.source,
            operationName: op.name,
            variables,
            http: { method: req.method, headers: graphqlHeaders(req), search: '', body: { operationName: op.name, variables } },
          },
          { contextValue },
        );
        for (const [name, value] of response.http.headers) {
          if (name !== 'content-type' && name !== 'content-length') res.setHeader(name, value);
        }
        if (response.body.kind !== 'single') throw new Error('incremental delivery is not used by the REST shim');
        const { data, errors } = response.body.singleResult;
        const { value, missing } = dig(data, route.result);
        if (missing) {
          // The whole answer is missing: a subgraph that could not be reached is the cause to report (503).
          const first = errors?.find((e) => e.extensions?.code === 'SUBGRAPH_UNAVAILABLE') ?? errors?.[0];
          if (first) {
            const error = restErrorOf(route, first, response.http.status);
            if (error.code === 'SUBGRAPH_UNAVAILABLE') res.setHeader('retry-after', '1');
            if (error.code === 'RATE_LIMITED' && !res.getHeader('retry-after')) {
              const retryAfter = Number(first.extensions?.retryAfter);
              res.setHeader('retry-after', String(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : 1));
            }
            if (error.status === 500) contextValue.logger.error({ route: `${route.method} ${route.path}`, errors }, 'REST operation failed');
            return sendError(res, error);
          }
          if (route.whenNull?.code === 'UNAUTHENTICATED')
            return sendError(res, { status: 401, code: 'UNAUTHENTICATED', message: 'You must be signed in to do this.' });
          if (route.whenNull) return sendError(res, { status: 404, code: 'NOT_FOUND', message: `${route.whenNull.what ?? 'It'} was not found.` });
          // A non-null field answered null without an error: not expected from the graph.
          throw new Error(`${route.operation} answered no ${route.result}`);
        }
        if (errors?.length)
          contextValue.logger.warn(
            { route: `${route.method} ${route.path}`, errors: errors.map((e) => e.extensions?.code) },
            'REST answer with partial errors',
          );
        res.status(route.status ?? 200);
        if (!route.list) return res.json({ data: value });
        const { edges, pageInfo } = value as Connection;
        const more = route.list.backward ? pageInfo.hasPreviousPage : pageInfo.hasNextPage;
        const cursor = route.list.backward ? pageInfo.startCursor : pageInfo.endCursor;
        return res.json({ data: edges.map((e) => e.node), nextCursor: more && cursor ? cursor : null });
      } catch (error) {
        if (error instanceof RestError) return sendError(res, error);
        logger.error({ err: error, route: `${route.method} ${route.path}` }, 'REST route failed');
        return sendError(res, { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
      }
    };
  };

  const methodsByPath = new Map<string, string[]>();
  for (const route of routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    router[method](route.path, handle(route));
    methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
  }
  for (const [path, methods] of methodsByPath) {
    router.all(path, (req, res) => {
      res.setHeader('allow', [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', '));
      sendError(res, { status: 405, code: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed here; use ${methods.join(' or ')}.` });
    });
  }
  router.use(prefixes, (req, res) => sendError(res, { status: 404, code: 'NOT_FOUND', message: `No route ${req.method} ${req.path}.` }));

  const errors: ErrorRequestHandler = (error: { status?: number; type?: string }, req, res, next) => {
    if (!prefixes.some((p) => req.path === p || req.path.startsWith(`${p}/`))) return next(error);
    if (error.type === 'entity.too.large')
      return sendError(res, { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `The body is larger than ${bodyLimit}.`, field: 'body' });
    if (error.type === 'entity.parse.failed')
      return sendError(res, { status: 400, code: 'BAD_USER_INPUT', message: 'The body is not valid JSON.', field: 'body' });
    if (error.status && error.status >= 400 && error.status < 500) return sendError(res, { status: 400, code: 'BAD_REQUEST', message: 'Malformed request.' });
    logger.error({ err: error }, 'REST request failed');
    return sendError(res, { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
  };
  router.use(errors);
  return router;
}
