import { ApolloGateway } from '@apollo/gateway';
import type { Logger, Session } from '@stagelives/platform';
import type { RouterConfig } from './config.js';
import { IdentityDataSource } from './identity-data-source.js';
import type { SubgraphFetchObserver } from './metrics.js';
import { SubgraphPolicies, type SubgraphPolicyObserver } from './resilience/index.js';
import {
  LiveSupergraph,
  deriveSupergraph,
  pollSupergraph,
  supergraphSourceOf,
  type SupergraphReloadObserver,
  type SupergraphSnapshot,
} from './supergraph-source.js';

export { subgraphsOf } from './supergraph-source.js';

/**
 * The gateway over the composed supergraph of SUPERGRAPH_PATH or SUPERGRAPH_URL (no
 * introspection of subgraphs at start-up), read again every SUPERGRAPH_POLL_SECONDS: a changed
 * supergraph replaces the API schema and query planner (the gateway's `update`) and, in the same
 * synchronous step, the router's own readings of it (`supergraph`: viewer dependence, costs,
 * subgraph URLs); one that does not parse or compose is refused and the served one stays.
 * Requests already planned finish on the plan they have; open subscriptions stay open.
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
    logger,
    reloadObserver,
  }: {
    onSubgraphFetch?: ((subgraph: string) => void) | undefined;
    fetchObserver?: SubgraphFetchObserver;
    policyObserver?: SubgraphPolicyObserver;
    resolveSession?: (token: string) => Promise<Session | null>;
    /** Reloads are logged here (required to reload: without it the supergraph is read once). */
    logger?: Logger;
    reloadObserver?: SupergraphReloadObserver;
  } = {},
) {
  const source = supergraphSourceOf(config);
  const initialSdl = await source.read();
  if (initialSdl === undefined) throw new Error(`no supergraph at ${source.location}`);
  // Parsed once per supergraph: the subgraphs' URLs, and the router's readers of the declarations (who may see a
  // field, what a list may cost) take this snapshot.
  const supergraph = new LiveSupergraph(deriveSupergraph(initialSdl, config.SUBGRAPH_URLS));
  // Subgraph name → URL the router calls, kept up to date in place across reloads.
  const subgraphUrls: Record<string, string> = { ...supergraph.current.subgraphUrls };
  // One timeout, retry and circuit breaker per subgraph, shared by all its requests (resilience/).
  const policies = new SubgraphPolicies(Object.keys(subgraphUrls), config, policyObserver);
  // While the gateway takes a new supergraph, the data sources it builds for new or moved subgraphs read its URLs.
  let staged: SupergraphSnapshot | undefined;

  const apply = (sdl: string, update: (sdl: string) => void) => {
    const next = deriveSupergraph(sdl, config.SUBGRAPH_URLS);
    policies.add(Object.keys(next.subgraphUrls));
    staged = next;
    try {
      // Synchronous: builds the API schema and query planner, or throws leaving the gateway as it was.
      update(sdl);
    } finally {
      staged = undefined;
    }
    supergraph.replace(next);
    for (const name of Object.keys(subgraphUrls)) if (!(name in next.subgraphUrls)) delete subgraphUrls[name];
    Object.assign(subgraphUrls, next.subgraphUrls);
  };

  // @apollo/gateway sends usage metrics to Apollo's servers unless told not to: nothing of ours
  // leaves the deployment unasked (an operator who wants it sets APOLLO_TELEMETRY_DISABLED=false).
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    // Validated in production too (the gateway skips it there by default): a reloaded supergraph that does not
    // compose must be refused, not served to fail at query time (~25 ms per load).
    validateSupergraph: true,
    supergraphSdl: async ({ update }) => {
      const poller =
        config.SUPERGRAPH_POLL_SECONDS > 0 && logger
          ? pollSupergraph({
              source,
              intervalMs: config.SUPERGRAPH_POLL_SECONDS * 1000,
              current: () => supergraph.current.sdl,
              apply: (sdl) => apply(sdl, update),
              logger,
              observer: reloadObserver,
            })
          : undefined;
      return { supergraphSdl: initialSdl, ...(poller ? { cleanup: () => poller.stop() } : {}) };
    },
    buildService: ({ name }) =>
      new IdentityDataSource({
        url: (staged ?? supergraph.current).subgraphUrls[name] ?? '',
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
