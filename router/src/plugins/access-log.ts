import type { ApolloServerPlugin } from '@apollo/server';
import type { RouterContext } from '../context.js';

/**
 * One access line per operation (name, HTTP status, duration, user, error codes), logged under
 * the request id that ties it to the subgraphs' lines.
 */
export function accessLogPlugin(): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
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
