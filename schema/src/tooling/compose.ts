import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { SUBGRAPH_NAMES, SUPERGRAPH_PATH, defaultSubgraphUrl } from '../subgraph-names.js';

export { SUPERGRAPH_PATH };

/** Loads each subgraph's schema builder (build time only: the schema package has no runtime dependency on subgraphs). */
export async function loadSubgraphSchemas(): Promise<Array<{ name: string; schema: GraphQLSchema }>> {
  const result = [];
  for (const name of SUBGRAPH_NAMES) {
    const mod = (await import(`../../../subgraphs/${name}/src/schema.ts`)) as { buildSchema: () => Promise<GraphQLSchema> };
    result.push({ name, schema: await mod.buildSchema() });
  }
  return result;
}

/** Composes the supergraph SDL; throws with every composition error when it fails. */
export async function composeSupergraph(): Promise<string> {
  const subgraphs = await loadSubgraphSchemas();
  const result = composeServices(
    subgraphs.map(({ name, schema }) => ({ name, url: defaultSubgraphUrl(name), typeDefs: parse(printSubgraphSchema(schema)) })),
  );
  if (result.errors) throw new Error(`Composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  return result.supergraphSdl;
}

export async function readSupergraph(): Promise<string> {
  return readFile(SUPERGRAPH_PATH, 'utf8');
}
