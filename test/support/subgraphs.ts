import type { SubgraphDeps, SubgraphServer } from '@stagelives/platform/subgraph';

type SubgraphFactory = (deps: SubgraphDeps) => Promise<SubgraphServer>;

/**
 * A subgraph's server factory, found by convention from its supergraph name alone (so adding a
 * domain adds nothing here): package `@stagelives/<name>` exports `create<Name>Server`.
 */
export async function subgraphFactory(name: string): Promise<SubgraphFactory> {
  const exported = `create${name[0]!.toUpperCase()}${name.slice(1)}Server`;
  const factory = ((await import(`@stagelives/${name}`)) as Record<string, unknown>)[exported];
  if (typeof factory !== 'function') throw new Error(`@stagelives/${name} does not export ${exported}`);
  return factory as SubgraphFactory;
}
