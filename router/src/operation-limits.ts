import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { RouterConfig } from './config.js';

/**
 * Depth, alias, directive, token and cost limits (graphql-armor), applied while the router
 * validates an operation, so nothing over a limit reaches a subgraph. Field suggestions
 * ("Did you mean …") are hidden outside development.
 */
export function operationLimits(config: RouterConfig) {
  return new ApolloArmor({
    maxDepth: { n: config.MAX_DEPTH },
    maxAliases: { n: config.MAX_ALIASES },
    maxDirectives: { n: config.MAX_DIRECTIVES },
    maxTokens: { n: config.MAX_TOKENS },
    costLimit: { maxCost: config.MAX_COST },
    blockFieldSuggestion: { enabled: config.NODE_ENV !== 'development' },
  }).protect();
}
