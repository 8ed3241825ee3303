import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '@stagelives/platform';
import type { RouterContext } from '../context.js';

/**
 * One access line per operation (name, HTTP status, duration, user, error codes), logged under
 * the request id that ties it to the subgraphs' lines. Nothing (not even the request's logger) when
 * `logger`'s level is above info.
 */
export function accessLogPlugin(logger: Logger): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
      if (!logger.isLevelEnabled('info')) return;
      const started = performance.now();
      return {
        async willSendResponse({ response, contextValue, operationName, errors }) {
          if (contextValue.internal) return;
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
        },
      };
    },
  };
}
