import { describe, expect, it } from 'vitest';
import { readSupergraph, unsizedListFields } from '../src/tooling/index.js';

describe(unsizedListFields.name, () => {
  it('should find a size declared for every list field of the supergraph (@listSize where the field is defined)', async () => {
    expect(unsizedListFields(await readSupergraph())).toEqual([]);
  });

  it('should name a list field without a size, and a connection returned by a field without sizedFields', () => {
    const sdl = `
      type Query {
        tags: [String!]!
        sized: [String!]! @listSize(assumedSize: 10)
        pages(first: Int): ThingConnection! @listSize(assumedSize: 20, slicingArguments: ["first"], sizedFields: ["edges"])
        unsizedPages: ThingConnection!
      }
      type ThingConnection { edges: [Thing!]! }
      type Thing { id: ID! }
    `;
    expect(unsizedListFields(sdl)).toEqual(['Query.tags', 'ThingConnection.edges']);
  });
});
