import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { composeAll } from './compose.js';

try {
  const { supergraph, subgraphs } = await composeAll();
  for (const { path, content } of [supergraph, ...subgraphs]) {
    await writeFile(path, content);
    console.log(`wrote ${relative(process.cwd(), path)}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
