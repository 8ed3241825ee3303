import { buildSchema, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { changedEntity, entityTags, entityTypes, idArguments, staticShape } from '../src/response-cache/tags.js';
import { ViewerDependentFields } from '../src/viewer-dependence.js';

const SDL = `
  interface Node { id: ID! }
  type Concert implements Node { id: ID!, title: String!, venue: Venue!, setlist: Setlist, viewerHasBookmarked: Boolean! }
  type Venue { name: String! }
  type Setlist implements Node { id: ID!, songs: [String!]! }
  type Article implements Node { id: ID!, title: String! }
  union SearchResult = Concert | Article
  input ConcertFilter { ids: [ID!], venueId: ID }
  type Query { concert(id: ID!): Concert, concerts(filter: ConcertFilter): [Concert!]!, search(text: String!): [SearchResult!]!, node(id: ID!): Node }
  type Mutation { bookmark(concertId: ID!): Concert }
`;
const schema = buildSchema(SDL);
const declared = ViewerDependentFields.fromSupergraph(
  SDL.replace('viewerHasBookmarked: Boolean!', 'viewerHasBookmarked: Boolean! @viewerDependent(kind: VIEWER)'),
);

function operationOf(source: string) {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]),
  );
  return { operation, fragments };
}

describe('response cache tags', () => {
  it('should read the declared viewer fields from the supergraph SDL', () => {
    expect(declared.coordinates).toEqual(['Concert.viewerHasBookmarked']);
    expect(declared.of('Concert', 'viewerHasBookmarked')).toBe('VIEWER');
    expect(declared.of('Concert', 'title')).toBeUndefined();
    expect(() => ViewerDependentFields.fromSupergraph('type Query { a: Int @viewerDependent(kind: SOMEONE) }')).toThrow(/unknown kind: SOMEONE/);
  });

  it('should name each entity an answer holds, and idless types where the id was not selected', () => {
    const { operation, fragments } = operationOf(`{
      concert(id: "c1") { key: id title venue { name } setlist { songs } }
      search(text: "x") { __typename ... on Concert { id } ...A }
    } fragment A on Article { id }`);
    const data = {
      concert: { key: 'c1', title: 'T', venue: { name: 'V' }, setlist: { songs: [] } },
      search: [{ __typename: 'Concert', id: 'c2' }, { __typename: 'Article', id: 'a1' }, { __typename: 'Unknown' }],
    };
    expect([...entityTags(schema, operation, fragments, data)].sort()).toEqual(['Article:a1', 'Concert:c1', 'Concert:c2', 'idless:Setlist']);
    expect(entityTags(schema, operation, fragments, null).size).toBe(0);
  });

  it('should collect the IDs passed to root fields, from literals, variables and input objects', () => {
    const { operation, fragments } = operationOf(
      'query Q($id: ID!, $f: ConcertFilter) { concert(id: $id) { id } concerts(filter: $f) { id } other: concert(id: "c3") { id } search(text: "x") { __typename } }',
    );
    const ids = idArguments(schema, operation, fragments, { id: 'c1', f: { ids: ['c4', 'c5'], venueId: 'v1' } });
    expect(Object.fromEntries(ids)).toEqual({ concert: ['c1', 'c3'], concerts: ['c4', 'c5', 'v1'], search: [] });
    const mutation = operationOf('mutation { bookmark(concertId: "c1") { id } }');
    expect(Object.fromEntries(idArguments(schema, mutation.operation, mutation.fragments, {}))).toEqual({ bookmark: ['c1'] });
  });

  it('should give the types a selection reaches and whether it selects a viewer field', () => {
    const plain = operationOf('{ concert(id: "c1") { title venue { name } } node(id: "x") { id } }');
    const shape = staticShape(schema, declared, plain.operation, plain.fragments);
    expect(shape.viewerFields).toBe(false);
    expect(shape.types.sort()).toEqual(['Article', 'Concert', 'Setlist', 'Venue']);
    const viewer = operationOf('{ search(text: "x") { ...C } } fragment C on Concert { viewerHasBookmarked }');
    expect(staticShape(schema, declared, viewer.operation, viewer.fragments)).toEqual({ types: ['Concert', 'Article'], viewerFields: true });
    const mutation = operationOf('mutation { bookmark(concertId: "c1") { viewerHasBookmarked } }');
    expect(staticShape(schema, declared, mutation.operation, mutation.fragments)).toEqual({ types: ['Mutation', 'Concert'], viewerFields: true });
  });

  it('should list entity types and the tags of a change', () => {
    expect(entityTypes(schema).sort()).toEqual(['Article', 'Concert', 'Setlist']);
    expect(changedEntity('Concert', 'c1')).toEqual(['Concert:c1', 'idless:Concert']);
  });
});
