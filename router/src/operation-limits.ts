import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { RouterConfig } from './config.js';

/**
 * Depth, alias and directive limits (graphql-armor) and the token limit (the parser's), applied while the router
 * validates an operation, so nothing over a limit reaches a subgraph. Field suggestions
 * ("Did you mean …") are hidden outside development.
 */
export function operationLimits(config: RouterConfig) {
  const armor = new ApolloArmor({
    maxDepth: { n: config.MAX_DEPTH },
    maxAliases: { n: config.MAX_ALIASES },
    maxDirectives: { n: config.MAX_DIRECTIVES },
    // The token limit is graphql-js's own parse option (Apollo's `parseOptions`): armor's plugin
    // parses again in `parsingDidStart`, where a syntax error becomes an HTTP 500.
    maxTokens: { enabled: false },
    // Cost needs the variables' values (`first: $n`): the router's own rule, cost/, run after validation.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: config.NODE_ENV !== 'development' },
  }).protect();
  return { ...armor, parseOptions: { maxTokens: config.MAX_TOKENS } };
}
