import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { RequestHandler } from 'express';
import { SessionStore, closeServer, httpDrain, listen, metricsHandler, shutdownDelayMs, type Logger, type Redis } from '@stagelives/platform';
import { maskUnexpectedErrors } from '@stagelives/schema';
import type { GraphQLSchema } from 'graphql';
import type { RouterConfig } from './config.js';
import { routerContextBuilder, type RouterContext } from './context.js';
import { explorer, explorerEnabled } from './explorer/explorer.js';
import { createGateway } from './gateway.js';
import { SUBGRAPH_HEALTH_PATH, routerHealth, subgraphHealth } from './health.js';
import { RouterMetrics, metricsApp, metricsExposure } from './metrics.js';
import { hardenedApp, hardenHttpServer, jsonBody, securityHeaders } from './http-hardening.js';
import { graphqlHttp } from './graphql-http.js';
import { costLimit } from './cost/index.js';
import { responseSizePlugin } from './response-size.js';
import { operationLimits } from './operation-limits.js';
import { accessLogPlugin } from './plugins/access-log.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { sessionCookiePlugin } from './plugins/session-cookie.js';
import { restApi } from './rest/index.js';
import { unavailableErrorsPlugin } from './resilience/index.js';
import { ResponseCache, type ResponseCacheStats } from './response-cache/index.js';
import { ChatHub, type InternalExecute } from './subscriptions/chat-hub.js';
import { TrustedOperations } from './trusted-operations.js';
import { createSubscriptionServer } from './subscriptions/ws-server.js';
import { createSubscriptionCore } from './subscriptions/subscription-core.js';
import { SSE_PATH, createSseServer } from './sse/sse-server.js';

export { subgraphsOf } from './gateway.js';
export { ViewerDependentFields } from './viewer-dependence.js';

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
  /** Live chat: subgraph reads made for events, rooms and sockets open (tests and benchmarks). */
  readonly subscriptions: { readonly reads: number; readonly watchedRooms: number; readonly connections: number; readonly streams: number };
  /** The port of `/metrics` when it has one of its own (`METRICS_PORT`), once listening. */
  readonly metricsPort: number | undefined;
  /** The shared response cache: counters of this instance, and purges (tests, benchmarks). */
  readonly responseCache: { readonly enabled: boolean; readonly stats: ResponseCacheStats; purge(tags: readonly string[]): Promise<number> };
  listen(port?: number, host?: string): Promise<number>;
  /**
   * Graceful: readiness answers 503 (for SHUTDOWN_DELAY_MS, listener still open), then the
   * listener closes while requests in flight finish and WebSockets close with 1001.
   */
  close(): Promise<void>;
}

/** Builds (never listens) the public router: gateway, sessions, identity forwarding, limits, health. */
export async function createRouterServer({ config, logger, redis, onSubgraphFetch }: RouterDeps): Promise<RouterServer> {
  const production = config.NODE_ENV === 'production';
  const development = config.NODE_ENV === 'development';
  const routerMetrics = new RouterMetrics();
  const sessions = SessionStore.fromConfig(redis, config);
  const { gateway, subgraphUrls, supergraph, policies } = await createGateway(config, {
    onSubgraphFetch,
    fetchObserver: routerMetrics,
    policyObserver: routerMetrics,
    resolveSession: (token) => sessions.resolve(token),
    logger,
    reloadObserver: routerMetrics,
  });
  routerMetrics.watchSubgraphs(() => policies.health());
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
  });
  const headers = securityHeaders();
  const app = hardenedApp(config, headers);
  // POST and GET /graphql are answered without Express once Apollo has started (graphql-http.ts); everything else is the app's.
  let graphql: ReturnType<typeof graphqlHttp> | undefined;
  const httpServer = createServer((req, res) => {
    if (!graphql?.(req, res)) app(req, res);
  });
  const trustProxy = app.get('trust proxy fn') as (addr: string, hop: number) => boolean;
  hardenHttpServer(httpServer, config, trustProxy);
  const drain = httpDrain(httpServer);
  const limits = operationLimits(config);
  // The one cost rule, from the list sizes the served supergraph declares (cost/): HTTP, REST and subscriptions.
  const cost = costLimit({ directives: () => supergraph.current.costDirectives, maxCost: config.MAX_COST });
  // OPERATIONS=trusted: only the client contract's operations run (see trusted-operations.ts).
  const trusted = config.OPERATIONS === 'trusted' ? TrustedOperations.load(config) : undefined;
  if (trusted) logger.info({ operations: trusted.operations.length }, "OPERATIONS=trusted: only the client contract's operations run");
  // Who may see which field, as the subgraphs declared it (@viewerDependent) in the served supergraph: used by every shared answer.
  const viewerFields = supergraph.viewerFields;
  const responseCache = new ResponseCache({
    redis,
    redisPrefix: config.REDIS_PREFIX,
    logger,
    enabled: config.RESPONSE_CACHE === 'on',
    schema: () => apiSchema,
    viewerFields,
    supergraphId: () => supergraph.current.id,
  });

  const apollo = new ApolloServer<RouterContext>({
    gateway,
    // Shutdown is gracefulShutdown's (platform/src/shutdown.ts): Apollo's own SIGTERM handler (on outside
    // NODE_ENV=test) would stop the server and re-raise the signal, killing the process mid-drain.
    stopOnTerminationSignals: false,
    introspection: !production || config.ALLOW_INTROSPECTION,
    includeStacktraceInErrorResponses: development,
    formatError: maskUnexpectedErrors(logger, development),
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // Trusted mode: a hash alone is looked up among the contract's operations only (read-only).
    ...(trusted ? { persistedQueries: { cache: trusted.persistedQueryCache() } } : {}),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ...(trusted ? [trusted.plugin()] : []),
      ...(limits.plugins as ApolloServerPlugin<RouterContext>[]),
      cost.plugin(),
      responseSizePlugin(config.MAX_RESPONSE_BYTES),
      rateLimitPlugin(config, redis, logger),
      accessLogPlugin(logger),
      // Before the metrics (their outcome is the first error's code): one SUBGRAPH_UNAVAILABLE per subgraph.
      unavailableErrorsPlugin(),
      routerMetrics.plugin(),
      sessionCookiePlugin({ production, maxAgeSeconds: config.SESSION_ABSOLUTE_TTL_SECONDS }),
      // After the limits (a cached answer still costs its rate-limit point).
      responseCache.plugin(),
      // Apollo's landing page loads from a CDN (blocked by our CSP, unreachable offline): off; the
      // router serves its own explorer from local assets (explorer/).
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  responseCache.startEventConsumers();

  const buildContext = routerContextBuilder({ sessions, logger, production });
  app.use(routerHealth(redis, { supergraphLoaded: () => apiSchema !== undefined }, () => drain.draining));
  // Prometheus and the subgraphs' breakers: see metricsExposure (public port outside production; METRICS_PORT; METRICS_TOKEN).
  const exposure = metricsExposure(config);
  const operatorRoutes = { [SUBGRAPH_HEALTH_PATH]: subgraphHealth({ subgraphs: () => policies.health() }, exposure.token) };
  if (exposure.public) {
    app.get('/metrics', metricsHandler(routerMetrics.metrics, { token: exposure.token }));
    for (const [path, handler] of Object.entries(operatorRoutes)) app.get(path, handler);
  } else if (exposure.port === undefined)
    logger.warn('/metrics and /health/subgraphs are not served: set METRICS_PORT or METRICS_TOKEN to expose them in production');
  const metricsServer = exposure.port === undefined ? null : createServer(metricsApp(routerMetrics.metrics, exposure.token, logger, operatorRoutes));
  let metricsPort: number | undefined;
  app.use(explorer(config, logger));
  // GraphQL over Server-Sent Events (graphql-sse, distinct connections), before /graphql takes the path; its server is made below.
  let sse: ReturnType<typeof createSseServer> | undefined;
  const sseRoute: RequestHandler = (req, res, next) => (sse ? sse.middleware(req, res, next) : next());
  app.use(SSE_PATH, ...jsonBody(config), sseRoute);
  const [jsonParser, bodyErrors] = jsonBody(config);
  app.use(
    '/graphql',
    jsonParser,
    bodyErrors,
    ...(trusted ? [trusted.middleware()] : []),
    expressMiddleware(apollo, { context: ({ req }) => buildContext(req) }),
  );
  graphql = graphqlHttp({
    apollo,
    config,
    buildContext,
    headers,
    trustProxy,
    jsonParser,
    trusted,
    explorer: explorerEnabled(config),
    logger,
  });
  // Legacy REST (contract/rest.md), /api-docs: each route runs one contract operation through `apollo` (rest/).
  app.use(restApi({ apollo, buildContext, schema: () => apiSchema, bodyLimit: config.BODY_LIMIT, production, contractDir: config.CONTRACT_DIR, logger }));

  // Subscription events are read through the same gateway, as the subscriber, with no rate limit.
  const execute: InternalExecute = async (query, variables, session) => {
    const requestId = randomUUID();
    const response = await apollo.executeOperation(
      { query, variables },
      {
        contextValue: {
          requestId,
          logger: logger.child({ requestId }),
          session,
          clientIp: 'internal',
          sessionLookupFailed: false,
          sessionChange: null,
          internal: true,
        },
      },
    );
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not used for subscription events');
    return { data: response.body.singleResult.data as Record<string, unknown> | null | undefined, errors: response.body.singleResult.errors };
  };
  const hub = new ChatHub({ redis, redisPrefix: config.REDIS_PREFIX, execute, logger, resyncIntervalMs: config.CHAT_RESYNC_SECONDS * 1000 });
  // What both subscription transports share: sessions, limits, trusted operations, validation, cost, the hub.
  const subscriptionCore = createSubscriptionCore({
    config,
    sessions,
    hub,
    schema: () => apiSchema,
    viewerFields,
    validationRules: limits.validationRules,
    cost,
    trusted,
  });
  const subscriptionServer = createSubscriptionServer({ httpServer, config, logger, redis, core: subscriptionCore, hub, trustProxy });
  sse = createSseServer({ config, logger, redis, core: subscriptionCore, trustProxy });
  routerMetrics.watch({
    connections: () => subscriptionServer.connections,
    subscriptions: () => subscriptionServer.subscriptions,
    deliveries: () => subscriptionServer.deliveries,
    refusedUpgrades: () => subscriptionServer.refusedUpgrades,
    watchedRooms: () => hub.watchedRooms,
  });

  return {
    httpServer,
    subgraphUrls,
    subscriptions: {
      get reads() {
        return hub.reads;
      },
      get watchedRooms() {
        return hub.watchedRooms;
      },
      get connections() {
        return subscriptionServer.connections;
      },
      get streams() {
        return sse?.connections ?? 0;
      },
    },
    get metricsPort() {
      return metricsPort;
    },
    responseCache,
    listen: async (port = config.PORT, host = config.HOST ?? (production ? '0.0.0.0' : '127.0.0.1')) => {
      const bound = await listen(httpServer, port, host);
      logger.info({ port: bound }, `router listening on http://${host === '0.0.0.0' ? 'localhost' : host}:${bound}/graphql`);
      if (metricsServer && !metricsServer.listening) {
        metricsPort = await listen(metricsServer, exposure.port ?? 0, exposure.host ?? host);
        logger.info({ port: metricsPort }, `router metrics on http://${exposure.host}:${metricsPort}/metrics`);
      }
      return bound;
    },
    close: async () => {
      // 1. Not ready: load balancers stop sending; responses from now on close their connection.
      drain.beginDrain();
      const delayMs = shutdownDelayMs(config);
      if (delayMs > 0 && httpServer.listening) await new Promise((resolve) => setTimeout(resolve, delayMs));
      // 2. The listener closes; requests in flight finish; WebSockets close with 1001 (after their deliveries in flight).
      await Promise.all([
        subscriptionServer.close(),
        sse?.close(),
        drain.close({ timeoutMs: Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS - delayMs - 3_000), idleGraceMs: Math.min(1_000, delayMs) }),
      ]);
      await hub.close();
      await responseCache.close();
      await apollo.stop();
      if (httpServer.listening) await closeServer(httpServer);
      if (metricsServer?.listening) await closeServer(metricsServer);
    },
  };
}
