#!/usr/bin/env node
// Last step of `npm run build`: composes the supergraph from the subgraph schemas just built
// (subgraphs/*/dist) and checks it equals the checked-in schema/supergraph.graphql, the file the
// production router serves (SUPERGRAPH_PATH, resolved beside schema/dist). A stale file fails the
// build (run `npm run compose`), so an image never ships a supergraph its subgraphs do not match.
// Run with `node --conditions=stagelives-dist` (the root build script does).
import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { SUBGRAPH_NAMES, SUPERGRAPH_PATH, defaultSubgraphUrl } from '@stagelives/schema';

const subgraphs = [];
for (const name of SUBGRAPH_NAMES) {
  const { buildSchema } = await import(`@stagelives/${name}/schema`);
  subgraphs.push({ name, url: defaultSubgraphUrl(name), typeDefs: parse(printSubgraphSchema(await buildSchema())) });
}
const result = composeServices(subgraphs);
if (result.errors) {
  console.error(`[build] composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  process.exit(1);
}
if (result.supergraphSdl !== (await readFile(SUPERGRAPH_PATH, 'utf8'))) {
  console.error(`[build] ${SUPERGRAPH_PATH} is stale: run \`npm run compose\` and commit it`);
  process.exit(1);
}
console.error(`[build] supergraph up to date (${SUPERGRAPH_PATH})`);
