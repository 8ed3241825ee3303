import { fileURLToPath } from 'node:url';

/** The subgraphs of the supergraph, in composition order. */
export const SUBGRAPH_NAMES = ['users', 'concerts', 'setlists', 'articles', 'chat', 'notifications', 'moderation'] as const;

export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/**
 * The subgraphs a subgraph calls directly (besides the router calling every one), with the
 * caller's identity: the moderation subgraph asks the owner of a reported piece of content
 * whether it exists for the reporter (`_entities`) and asks users to suspend an author. Everything
 * that starts the graph starts the callees first and gives the caller their URLs in
 * `SUBGRAPH_URLS`; deploy/ lets exactly these calls through its network policies.
 */
export const SUBGRAPH_CALLS: Partial<Record<SubgraphName, readonly SubgraphName[]>> = {
  moderation: ['users', 'articles', 'chat'],
};

/**
 * The order to start the subgraphs in: those that call no other first, then the callers, given
 * the first wave's URLs in `SUBGRAPH_URLS` (a callee calls no other subgraph).
 */
export const SUBGRAPH_START_WAVES: readonly (readonly SubgraphName[])[] = [
  SUBGRAPH_NAMES.filter((name) => !SUBGRAPH_CALLS[name]),
  SUBGRAPH_NAMES.filter((name) => SUBGRAPH_CALLS[name]),
];

/** Default URL of a subgraph in the composed supergraph; deployments override it per name. */
export const defaultSubgraphUrl = (name: string) => `http://${name}.stagelives.internal/graphql`;

/** The checked-in, composed supergraph (`npm run compose` writes it). */
export const SUPERGRAPH_PATH = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));
