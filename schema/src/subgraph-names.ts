import { fileURLToPath } from 'node:url';

/** The subgraphs of the supergraph, in composition order. */
export const SUBGRAPH_NAMES = ['users', 'concerts', 'setlists', 'articles', 'chat', 'notifications', 'moderation'] as const;

/** Default URL of a subgraph in the composed supergraph; deployments override it per name. */
export const defaultSubgraphUrl = (name: string) => `http://${name}.stagelives.internal/graphql`;

/** The checked-in, composed supergraph (`npm run compose` writes it). */
export const SUPERGRAPH_PATH = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));
