import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeAll, composeSupergraph, readSupergraph } from '../src/tooling/index.js';

describe('supergraph', () => {
  it('should match the checked-in schema/supergraph.graphql (run `npm run compose` when it does not)', async () => {
    expect(await composeSupergraph()).toBe(await readSupergraph());
  });

  it('should match every checked-in subgraphs/<name>/schema.graphql (run `npm run compose` when it does not)', async () => {
    for (const { path, content } of (await composeAll()).subgraphs) {
      const checkedIn = await readFile(path, 'utf8').catch(() => `${relative(process.cwd(), path)} is missing`);
      expect(checkedIn, relative(process.cwd(), path)).toBe(content);
    }
  });
});
