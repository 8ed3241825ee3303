#!/usr/bin/env node
// Last step of `npm run build`: composes the supergraph from the subgraph schemas just built
// (subgraphs/*/dist) with the same function as `npm run compose` (composeSubgraphSchemas, from
// schema/dist/tooling) and checks the result equals the checked-in schema/supergraph.graphql, the
// file the production router serves, and subgraphs/<name>/schema.graphql. A stale file fails the
// build (run `npm run compose`), so an image never ships a supergraph its subgraphs do not match.
// Run with `node --conditions=stagelives-dist` (the root build script does).
import { relative } from 'node:path';
import { SUBGRAPH_NAMES } from '@stagelives/schema';
import { composeSubgraphSchemas, staleFiles } from '@stagelives/schema/tooling';

const subgraphs = [];
for (const name of SUBGRAPH_NAMES) {
  const { buildSchema } = await import(`@stagelives/${name}/schema`);
  subgraphs.push({ name, schema: await buildSchema() });
}
let composed;
try {
  composed = composeSubgraphSchemas(subgraphs);
} catch (error) {
  console.error(`[build] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
const stale = await staleFiles([composed.supergraph, ...composed.subgraphs]);
if (stale.length > 0) {
  console.error(`[build] stale: ${stale.map((p) => relative(process.cwd(), p)).join(', ')}: run \`npm run compose\` and commit them`);
  process.exit(1);
}
console.error(`[build] supergraph and subgraph schemas up to date (${relative(process.cwd(), composed.supergraph.path)})`);
