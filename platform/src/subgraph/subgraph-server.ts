import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, maskUnexpectedErrors, sessionChangeHeader, verifyIdentity } from '@stagelives/schema';
import { healthRouter } from '../health.js';
import { shutdownDelayMs } from '../config.js';
import { closeServer, httpDrain, listen } from '../listen.js';
import { metricsHandler } from '../metrics.js';
import type { BaseContext } from './authorization.js';
import type { SubgraphDeps, SubgraphServer } from './deps.js';
import { applyFieldRateLimits } from './field-rate-limits.js';
import { applyPermissions, type PermissionRules } from './permissions.js';
import { subgraphMetrics } from './subgraph-metrics.js';

export interface SubgraphServerOptions<TContext extends BaseContext> {
  /** Subgraph name, as in the supergraph (`users`, `concerts`, …). */
  name: string;
  schema: GraphQLSchema;
  /** Config, logger and connections: the identity secret, debug mode and the MongoDB and Redis readiness checks come from here. */
  deps: Pick<SubgraphDeps, 'config' | 'logger' | 'mongo' | 'redis'>;
  /** Adds the domain's loaders and services to the base context, once per request. */
  createContext: (base: BaseContext) => TContext | Promise<TContext>;
  /** graphql-shield rules; every mutation must be named (deny by default). */
  permissions: PermissionRules;
}

/** Builds (never listens) a subgraph's HTTP server: GraphQL at /graphql plus health endpoints. */
export async function createSubgraphServer<TContext extends BaseContext>({
  name,
  schema,
  deps: { config, logger, mongo, redis },
  createContext,
  permissions,
}: SubgraphServerOptions<TContext>): Promise<SubgraphServer> {
  const identitySecret = config.IDENTITY_SECRET;
  // Stack traces and unmasked errors only in development.
  const debug = config.NODE_ENV === 'development';
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  // The router keeps connections to subgraphs alive and closes idle ones after a few seconds.
  // If this server closed them first (Node's default: 5 s), a request sent on a socket being
  // closed fails with ECONNRESET: the side that sends must be the side that closes.
  httpServer.keepAliveTimeout = 75_000;
  httpServer.headersTimeout = 76_000;
  const drain = httpDrain(httpServer);
  const { metrics, plugin: metricsPlugin } = subgraphMetrics(name);

  const sessionAndTiming: ApolloServerPlugin<TContext> = {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, contextValue: ctx }) {
          if (ctx.sessionChange) response.http.headers.set(...sessionChangeHeader(ctx.sessionChange));
        },
        async didEncounterErrors({ errors, operationName }) {
          const codes = errors.map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
          contextValue.logger.debug({ operationName, codes }, 'operation had errors');
        },
        async willSendSubsequentPayload() {},
        async executionDidStart() {
          return {
            async executionDidEnd() {
              contextValue.logger.debug({ ms: Math.round(performance.now() - started) }, 'executed');
            },
          };
        },
      };
    },
  };

  const apollo = new ApolloServer<TContext>({
    // Permissions outermost: a caller they refuse never reaches (or uses up) a field's rate limit.
    schema: applyPermissions(applyFieldRateLimits(schema, { redis, redisPrefix: config.REDIS_PREFIX, factor: config.FIELD_RATE_LIMIT_FACTOR }), permissions),
    // Shutdown is gracefulShutdown's (platform/src/shutdown.ts): Apollo's own SIGTERM handler (on outside
    // NODE_ENV=test) would stop the server and re-raise the signal, killing the process mid-drain.
    stopOnTerminationSignals: false,
    introspection: true,
    includeStacktraceInErrorResponses: debug,
    formatError: maskUnexpectedErrors(logger, debug),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      sessionAndTiming,
      metricsPlugin as ApolloServerPlugin<TContext>,
    ],
  });
  await apollo.start();

  app.use(healthRouter({ mongodb: () => mongo.ping(), redis: () => redis.ping() }, { draining: () => drain.draining }));
  // Internal port: Prometheus scrapes it directly (METRICS_TOKEN, when set, is required here too).
  app.get('/metrics', metricsHandler(metrics, { token: config.METRICS_TOKEN }));
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const headerId = req.headers[REQUEST_ID_HEADER];
        const requestId = typeof headerId === 'string' && headerId.length <= 128 ? headerId : randomUUID();
        const identityHeader = req.headers[IDENTITY_HEADER];
        const verdict = verifyIdentity(typeof identityHeader === 'string' ? identityHeader : undefined, {
          secret: identitySecret,
          requestId,
        });
        const base: BaseContext = {
          requestId,
          logger: logger.child({ requestId }),
          viewer: verdict.ok ? verdict.identity : null,
          identityVerdict: verdict,
          sessionChange: null,
          acceptLanguage: typeof req.headers['accept-language'] === 'string' ? req.headers['accept-language'] : undefined,
        };
        return createContext(base);
      },
    }),
  );

  return {
    httpServer,
    listen: async (port, host = '127.0.0.1') => {
      const bound = await listen(httpServer, port, host);
      logger.info({ port: bound, subgraph: name }, `${name} subgraph listening on http://${host}:${bound}/graphql`);
      return bound;
    },
    close: async () => {
      // Not ready first (the router's readiness follows), then drain: requests in flight finish.
      drain.beginDrain();
      const delayMs = shutdownDelayMs(config);
      if (delayMs > 0 && httpServer.listening) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await drain.close({ timeoutMs: Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS - delayMs - 3_000), idleGraceMs: Math.min(1_000, delayMs) });
      await apollo.stop();
      if (httpServer.listening) await closeServer(httpServer);
    },
  };
}
