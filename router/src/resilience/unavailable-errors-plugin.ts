import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { SUBGRAPH_UNAVAILABLE } from './subgraph-unavailable-error.js';

/**
 * One SUBGRAPH_UNAVAILABLE error per subgraph per response: the gateway reports each failed
 * fetch (a query plan may call the same subgraph several times, e.g. for entities at two
 * paths), the client needs to know once that a subgraph's fields are missing.
 */
export function unavailableErrorsPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  // No per-request state: one listener serves every request.
  const listener: GraphQLRequestListener<C> = {
    willSendResponse: async ({ response }) => {
      if (response.body.kind !== 'single') return;
      const result = response.body.singleResult;
      if (!result.errors || result.errors.length < 2) return;
      const seen = new Set<unknown>();
      const kept = result.errors.filter((error) => {
        if (error.extensions?.code !== SUBGRAPH_UNAVAILABLE) return true;
        const subgraph = error.extensions.subgraph;
        if (seen.has(subgraph)) return false;
        seen.add(subgraph);
        return true;
      });
      if (kept.length !== result.errors.length) result.errors = kept;
    },
  };
  return { requestDidStart: async () => listener };
}
