import { createServer, type Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { SessionStore, closeServer, listen, type Logger, type Redis } from '@stagelives/platform';
import { maskUnexpectedErrors } from '@stagelives/schema';
import type { RouterConfig } from './config.js';
import { routerContextBuilder, type RouterContext } from './context.js';
import { createGateway } from './gateway.js';
import { routerHealth } from './health.js';
import { hardenedApp, jsonBody } from './http-hardening.js';
import { operationLimits } from './operation-limits.js';
import { accessLogPlugin } from './plugins/access-log.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { sessionCookiePlugin } from './plugins/session-cookie.js';

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
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/** Builds (never listens) the public router: gateway, sessions, identity forwarding, limits, health. */
export async function createRouterServer({ config, logger, redis, onSubgraphFetch }: RouterDeps): Promise<RouterServer> {
  const production = config.NODE_ENV === 'production';
  const development = config.NODE_ENV === 'development';
  const { gateway, subgraphUrls } = await createGateway(config, onSubgraphFetch);
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

  const buildContext = routerContextBuilder({ sessions: SessionStore.fromConfig(redis, config), logger, production });
  app.use(routerHealth(redis, subgraphUrls));
  app.use('/graphql', ...jsonBody(config), expressMiddleware(apollo, { context: ({ req }) => buildContext(req) }));

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
