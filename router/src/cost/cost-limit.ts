import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { RouterContext } from '../context.js';
import type { Supergraph } from '../supergraph-directives.js';
import { type CostDirectives, readCostDirectives } from './cost-directives.js';
import { operationCost } from './operation-cost.js';

const COST_LIMIT_EXCEEDED = 'COST_LIMIT_EXCEEDED';

/** An operation whose cost, counted with its actual list sizes, is over `MAX_COST`: refused before any subgraph (HTTP 400). */
export class CostLimitExceededError extends GraphQLError {
  constructor(cost: number, maxCost: number) {
    super(`The operation costs ${cost}, over the limit of ${maxCost}: ask for smaller pages (first/last) or fewer nested lists.`, {
      extensions: { code: COST_LIMIT_EXCEEDED, cost, maxCost, http: { status: 400 } },
    });
  }
}

export type CostLimitOptions = {
  /** The largest cost an operation may have (`MAX_COST`). */
  maxCost: number;
} & (
  | {
      /** The supergraph (SDL or parsed): its `@cost`/`@listSize` declarations are read once, here. */
      supergraph: Supergraph;
    }
  | {
      /** The declarations of the supergraph being served, asked at each check (it may be reloaded: supergraph-source.ts). */
      directives: () => CostDirectives;
    }
);

export interface CostLimit {
  /** The operation's cost; throws CostLimitExceededError past the limit. */
  check(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Readonly<Record<string, unknown>> | null | undefined,
  ): number;
  /** Costs each HTTP (and REST) operation once Apollo has resolved it and its variables, before it runs. */
  plugin(): ApolloServerPlugin<RouterContext>;
}

/**
 * The router's one cost rule. It needs the variables (`first: $n` is as large as `n`), so it is
 * not a validation rule: HTTP and REST operations are costed in `didResolveOperation`,
 * subscriptions when they are subscribed (ws-server.ts). Operations the router runs itself
 * (`internal`: the chat hub's event reads) were costed when their subscription was.
 */
export function costLimit(options: CostLimitOptions): CostLimit {
  const { maxCost } = options;
  const directives =
    'directives' in options
      ? options.directives
      : (
          (read) => () =>
            read
        )(readCostDirectives(options.supergraph));
  const check: CostLimit['check'] = (schema, document, operation, variables) => {
    const cost = operationCost({ schema, document, operation, variables, directives: directives() });
    if (cost > maxCost) throw new CostLimitExceededError(cost, maxCost);
    return cost;
  };
  return {
    check,
    plugin: () => {
      // No per-request state: one listener serves every request.
      const listener: GraphQLRequestListener<RouterContext> = {
        async didResolveOperation({ contextValue, schema, document, operation, request }) {
          if (contextValue.internal || !operation) return;
          check(schema, document, operation, request.variables);
        },
      };
      return { requestDidStart: async () => listener };
    },
  };
}
