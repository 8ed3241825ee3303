import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type ErrorRequestHandler } from 'express';
import { parse } from 'graphql';
import helmet from 'helmet';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, SUPERGRAPH_PATH, maskUnexpectedErrors } from '@stagelives/schema';
import { SessionStore, closeServer, listen, readiness, type Logger, type Redis } from '@stagelives/platform';
import type { RouterConfig } from './config.js';
import type { RouterContext } from './context.js';
import { IdentityDataSource } from './identity-data-source.js';
import { operationLimits } from './operation-limits.js';
import { rateLimitPlugin } from './rate-limit.js';
import { clearedSessionCookie, sessionCookie, sessionTokenFrom } from './sessions.js';

export interface RouterDeps {
  config: RouterConfig;
  logger: Logger;
  redis: Redis;
  /** Called once per subgraph fetch (tests count them). */
  onSubgraphFetch?: (subgraph: string) => void;
}

export interface RouterServer {
  readonly httpServer: Server;
  /** Subgraph name → URL the router calls. */
  readonly subgraphUrls: Record<string, string>;
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** Reads the `join__Graph` enum of a supergraph: subgraph name → URL. */
export function subgraphsOf(supergraphSdl: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const def of parse(supergraphSdl).definitions) {
    if (def.kind !== 'EnumTypeDefinition' || def.name.value !== 'join__Graph') continue;
    for (const value of def.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === 'join__graph');
      const arg = (n: string) => graph?.arguments?.find((a) => a.name.value === n)?.value;
      const name = arg('name');
      const url = arg('url');
      if (name?.kind === 'StringValue' && url?.kind === 'StringValue') result[name.value] = url.value;
    }
  }
  return result;
}

/** Builds (never listens) the public router: gateway, sessions, identity forwarding, health. */
export async function createRouterServer({ config, logger, redis, onSubgraphFetch }: RouterDeps): Promise<RouterServer> {
  const production = config.NODE_ENV === 'production';
  const supergraphSdl = await readFile(config.SUPERGRAPH_PATH ?? SUPERGRAPH_PATH, 'utf8');
  const subgraphUrls = Object.fromEntries(
    Object.entries(subgraphsOf(supergraphSdl)).map(([name, url]) => [name, config.SUBGRAPH_URLS[name] ?? url]),
  );
  const sessions = SessionStore.fromConfig(redis, config);

  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => new IdentityDataSource(subgraphUrls[name] ?? '', config.IDENTITY_SECRET, onSubgraphFetch, name),
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(helmet());
  app.use(cors({ origin: config.CORS_ORIGINS, credentials: true, maxAge: 600 }));
  const httpServer = createServer(app);
  const limits = operationLimits(config);

  const sessionCookies: ApolloServerPlugin<RouterContext> = {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, contextValue, operationName, errors }) {
          // One access line per operation; the request id ties it to the subgraphs' lines.
          contextValue.logger.info(
            {
              operationName: operationName ?? null,
              status: response.http.status ?? 200,
              ms: Math.round(performance.now() - started),
              user: contextValue.session?.userId ?? null,
              errors: errors?.map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'),
            },
            'graphql operation',
          );
          response.http.headers.set(REQUEST_ID_HEADER, contextValue.requestId);
          const change = contextValue.sessionChange;
          if (change?.kind === 'set') {
            response.http.headers.set('set-cookie', sessionCookie(change.token, { production, maxAgeSeconds: config.SESSION_ABSOLUTE_TTL_SECONDS }));
          } else if (change?.kind === 'clear') {
            response.http.headers.set('set-cookie', clearedSessionCookie({ production }));
          }
        },
      };
    },
  };

  const apollo = new ApolloServer<RouterContext>({
    gateway,
    introspection: !production || config.ALLOW_INTROSPECTION,
    includeStacktraceInErrorResponses: config.NODE_ENV === 'development',
    formatError: maskUnexpectedErrors(logger, config.NODE_ENV === 'development'),
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    validationRules: limits.validationRules,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ...(limits.plugins as ApolloServerPlugin<RouterContext>[]),
      rateLimitPlugin(config, redis),
      sessionCookies,
      // Apollo's landing page loads from a CDN (blocked by our CSP, unreachable offline): off until
      // the explorer is served from local assets.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  const health = {
    redis: () => redis.ping(),
    ...Object.fromEntries(
      Object.entries(subgraphUrls).map(([name, url]) => [
        name,
        async () => {
          const res = await fetch(new URL('/health/ready', url), { signal: AbortSignal.timeout(1_500) });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        },
      ]),
    ),
  };
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'live' });
  });
  for (const path of ['/health', '/health/ready']) {
    app.get(path, async (_req, res) => {
      const result = await readiness(health);
      res.status(result.ready ? 200 : 503).json({ status: result.status, checks: result.checks });
    });
  }

  const bodyErrors: ErrorRequestHandler = (error: { status?: number; type?: string; message?: string }, _req, res, next) => {
    if (!error.status || error.status >= 500) return next(error);
    const tooLarge = error.type === 'entity.too.large';
    res.status(error.status).json({
      errors: [{ message: tooLarge ? `Request body is larger than ${config.BODY_LIMIT}.` : 'Malformed request body.', extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }],
    });
  };

  app.use(
    '/graphql',
    express.json({ limit: config.BODY_LIMIT }),
    bodyErrors,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        // Only the router may assert identity to subgraphs: a client's copy is dropped here.
        delete req.headers[IDENTITY_HEADER];
        const given = req.headers[REQUEST_ID_HEADER];
        const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        const requestLogger = logger.child({ requestId });
        const token = sessionTokenFrom(req.headers, production);
        let session = null;
        let sessionLookupFailed = false;
        if (token) {
          try {
            session = await sessions.resolve(token);
          } catch (error) {
            // Redis is away: reads go on anonymously; writes are refused (see rateLimitPlugin).
            sessionLookupFailed = true;
            requestLogger.warn({ err: error instanceof Error ? error.message : String(error) }, 'session lookup failed');
          }
        }
        return { requestId, logger: requestLogger, session, sessionLookupFailed, clientIp: req.ip ?? 'unknown', sessionChange: null };
      },
    }),
  );

  return {
    httpServer,
    subgraphUrls,
    listen: async (port = config.PORT, host = config.HOST ?? (production ? '0.0.0.0' : '127.0.0.1')) => {
      const bound = await listen(httpServer, port, host);
      logger.info({ port: bound }, `router listening on http://${host === '0.0.0.0' ? 'localhost' : host}:${bound}/graphql`);
      return bound;
    },
    close: async () => {
      await apollo.stop();
      if (httpServer.listening) await closeServer(httpServer);
    },
  };
}
