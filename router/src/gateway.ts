import { readFile } from 'node:fs/promises';
import { ApolloGateway } from '@apollo/gateway';
import { SUPERGRAPH_PATH } from '@stagelives/schema';
import type { Session } from '@stagelives/platform';
import type { RouterConfig } from './config.js';
import { IdentityDataSource } from './identity-data-source.js';
import type { SubgraphFetchObserver } from './metrics.js';
import { type Supergraph, parsed } from './supergraph-directives.js';
import { SubgraphPolicies, type SubgraphPolicyObserver } from './resilience/index.js';

/** Reads the `join__Graph` enum of a supergraph: subgraph name → URL. */
export function subgraphsOf(supergraph: Supergraph): Record<string, string> {
  const result: Record<string, string> = {};
  for (const def of parsed(supergraph).definitions) {
    if (def.kind !== 'EnumTypeDefinition' || def.name.value !== 'join__Graph') continue;
    for (const value of def.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === 'join__graph');
      const arg = (n: string) => graph?.arguments?.find((a) => a.name.value === n)?.value;
      const name = arg('name');
      const url = arg('url');
      if (name?.kind === 'StringValue' && url?.kind === 'StringValue') result[name.value] = url.value;
    }
  }
  return result;
}

/**
 * The gateway over the checked-in supergraph (no introspection of subgraphs at start-up);
 * `SUBGRAPH_URLS` overrides where each subgraph is called. Every subgraph call carries the
 * identity signed for its request and runs under its subgraph's policy (timeout, retry of
 * reads, circuit breaker).
 */
export async function createGateway(
  config: RouterConfig,
  {
    onSubgraphFetch,
    fetchObserver,
    policyObserver,
    resolveSession,
  }: {
    onSubgraphFetch?: ((subgraph: string) => void) | undefined;
    fetchObserver?: SubgraphFetchObserver;
    policyObserver?: SubgraphPolicyObserver;
    resolveSession?: (token: string) => Promise<Session | null>;
  } = {},
) {
  const supergraphSdl = await readFile(config.SUPERGRAPH_PATH ?? SUPERGRAPH_PATH, 'utf8');
  // Parsed once: the subgraphs' URLs, and the router's readers of the declarations (who may see a
  // field, what a list may cost) take this document.
  const supergraph = parsed(supergraphSdl);
  const subgraphUrls = Object.fromEntries(Object.entries(subgraphsOf(supergraph)).map(([name, url]) => [name, config.SUBGRAPH_URLS[name] ?? url]));
  // One timeout, retry and circuit breaker per subgraph, shared by all its requests (resilience/).
  const policies = new SubgraphPolicies(Object.keys(subgraphUrls), config, policyObserver);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) =>
      new IdentityDataSource({
        url: subgraphUrls[name] ?? '',
        secret: config.IDENTITY_SECRET,
        subgraph: name,
        onFetch: onSubgraphFetch,
        observer: fetchObserver,
        dedupe: config.SUBGRAPH_FETCH_DEDUPE === 'on',
        policy: policies.of(name),
        resolveSession,
      }),
  });
  return { gateway, subgraphUrls, supergraph, policies };
}
