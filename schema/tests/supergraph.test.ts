import { describe, expect, it } from 'vitest';
import { composeSupergraph, readSupergraph } from '../src/tooling/index.js';

describe('supergraph', () => {
  it('should match the checked-in schema/supergraph.graphql (run `npm run compose` when it does not)', async () => {
    expect(await composeSupergraph()).toBe(await readSupergraph());
  });
});
