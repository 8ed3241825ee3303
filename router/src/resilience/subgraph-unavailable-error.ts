import { GraphQLError } from 'graphql';

/** Why a subgraph was not asked or did not answer (`unavailable`: it, or a proxy in front of it, answered HTTP 502–504). */
export type UnavailableReason = 'timeout' | 'connection' | 'circuit-open' | 'unavailable';

/**
 * The fields of one subgraph could not be fetched: it did not answer within its timeout, its
 * connection failed, or its circuit breaker is open. The rest of the response is kept (partial
 * data); `extensions.subgraph` names the subgraph, never where it lives.
 */
export class SubgraphUnavailableError extends GraphQLError {
  constructor(
    readonly subgraph: string,
    readonly reason: UnavailableReason,
  ) {
    super(`The ${subgraph} service is unavailable; its fields are null in this response.`, {
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph, reason },
    });
  }
}

export const SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';
