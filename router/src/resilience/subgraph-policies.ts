import type { RouterConfig } from '../config.js';
import { SubgraphPolicy, type SubgraphHealth, type SubgraphPolicyObserver } from './subgraph-policy.js';

/** Every subgraph's policy, built once for the gateway: the data sources use them, health and metrics read them. */
export class SubgraphPolicies {
  private readonly byName = new Map<string, SubgraphPolicy>();

  constructor(
    names: readonly string[],
    private readonly config: Pick<RouterConfig, 'SUBGRAPH_TIMEOUT_MS' | 'SUBGRAPH_TIMEOUTS_MS' | 'SUBGRAPH_BREAKER_FAILURES' | 'SUBGRAPH_BREAKER_HALF_OPEN_MS'>,
    private readonly observer?: SubgraphPolicyObserver,
  ) {
    this.add(names);
  }

  /** Policies for subgraphs not known yet (a reloaded supergraph may name new ones); known ones keep theirs. */
  add(names: readonly string[]): void {
    const { config, observer } = this;
    for (const name of names) {
      if (this.byName.has(name)) continue;
      this.byName.set(
        name,
        new SubgraphPolicy(name, {
          timeoutMs: config.SUBGRAPH_TIMEOUTS_MS[name] ?? config.SUBGRAPH_TIMEOUT_MS,
          breakerFailures: config.SUBGRAPH_BREAKER_FAILURES,
          halfOpenAfterMs: config.SUBGRAPH_BREAKER_HALF_OPEN_MS,
          observer,
        }),
      );
    }
  }

  of(name: string): SubgraphPolicy {
    const policy = this.byName.get(name);
    if (!policy) throw new Error(`no policy for subgraph ${name}`);
    return policy;
  }

  /** Each subgraph's breaker state and last failure (`/health/subgraphs`). */
  health(): Record<string, SubgraphHealth> {
    return Object.fromEntries([...this.byName].map(([name, policy]) => [name, policy.health]));
  }
}
