import { writeFile } from 'node:fs/promises';
import { SUPERGRAPH_PATH, composeSupergraph } from './compose.js';

try {
  const sdl = await composeSupergraph();
  await writeFile(SUPERGRAPH_PATH, sdl);
  console.log(`wrote ${SUPERGRAPH_PATH}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
