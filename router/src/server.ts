import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { SessionStore, closeServer, listen, type Logger, type Redis } from '@stagelives/platform';
import { maskUnexpectedErrors } from '@stagelives/schema';
import type { GraphQLSchema } from 'graphql';
import type { RouterConfig } from './config.js';
import { routerContextBuilder, type RouterContext } from './context.js';
import { createGateway } from './gateway.js';
import { routerHealth } from './health.js';
import { hardenedApp, jsonBody } from './http-hardening.js';
import { operationLimits } from './operation-limits.js';
import { accessLogPlugin } from './plugins/access-log.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { sessionCookiePlugin } from './plugins/session-cookie.js';
import { ChatHub, type InternalExecute } from './subscriptions/chat-hub.js';
import { createSubscriptionServer } from './subscriptions/ws-server.js';

export { subgraphsOf } from './gateway.js';

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
  readonly subscriptions: { readonly reads: number; readonly watchedRooms: number; readonly connections: number };
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/** Builds (never listens) the public router: gateway, sessions, identity forwarding, limits, health. */
export async function createRouterServer({ config, logger, redis, onSubgraphFetch }: RouterDeps): Promise<RouterServer> {
  const production = config.NODE_ENV === 'production';
  const development = config.NODE_ENV === 'development';
  const { gateway, subgraphUrls } = await createGateway(config, onSubgraphFetch);
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
  });
  const app = hardenedApp(config);
  const httpServer = createServer(app);
  const limits = operationLimits(config);

  const apollo = new ApolloServer<RouterContext>({
    gateway,
    introspection: !production || config.ALLOW_INTROSPECTION,
    includeStacktraceInErrorResponses: development,
    formatError: maskUnexpectedErrors(logger, development),
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    validationRules: limits.validationRules,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ...(limits.plugins as ApolloServerPlugin<RouterContext>[]),
      rateLimitPlugin(config, redis),
      accessLogPlugin(),
      sessionCookiePlugin({ production, maxAgeSeconds: config.SESSION_ABSOLUTE_TTL_SECONDS }),
      // Apollo's landing page loads from a CDN (blocked by our CSP, unreachable offline): off until
      // the explorer is served from local assets.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  const sessions = SessionStore.fromConfig(redis, config);
  const buildContext = routerContextBuilder({ sessions, logger, production });
  app.use(routerHealth(redis, subgraphUrls));
  app.use('/graphql', ...jsonBody(config), expressMiddleware(apollo, { context: ({ req }) => buildContext(req) }));

  // Subscription events are read through the same gateway, as the subscriber, with no rate limit.
  const execute: InternalExecute = async (query, variables, session) => {
    const requestId = randomUUID();
    const response = await apollo.executeOperation(
      { query, variables },
      { contextValue: { requestId, logger: logger.child({ requestId }), session, clientIp: 'internal', sessionLookupFailed: false, sessionChange: null, internal: true } },
    );
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not used for subscription events');
    return { data: response.body.singleResult.data as Record<string, unknown> | null | undefined, errors: response.body.singleResult.errors };
  };
  const hub = new ChatHub({ redis, redisPrefix: config.REDIS_PREFIX, execute, logger, resyncIntervalMs: config.CHAT_RESYNC_SECONDS * 1000 });
  const subscriptionServer = createSubscriptionServer({
    httpServer,
    config,
    logger,
    redis,
    sessions,
    hub,
    schema: () => apiSchema,
    validationRules: limits.validationRules,
    trustProxy: app.get('trust proxy fn') as (addr: string, hop: number) => boolean,
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
    },
    listen: async (port = config.PORT, host = config.HOST ?? (production ? '0.0.0.0' : '127.0.0.1')) => {
      const bound = await listen(httpServer, port, host);
      logger.info({ port: bound }, `router listening on http://${host === '0.0.0.0' ? 'localhost' : host}:${bound}/graphql`);
      return bound;
    },
    close: async () => {
      await subscriptionServer.close();
      await hub.close();
      await apollo.stop();
      if (httpServer.listening) await closeServer(httpServer);
    },
  };
}
