import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { addResolversToSchema } from '@graphql-tools/schema';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import gql from 'graphql-tag';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';
import { scalarsMap } from './scalars.js';

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible"])';

/**
 * Builds a Federation 2 subgraph schema from type-graphql resolvers.
 * `referenceResolvers` supplies `__resolveReference` for the entities this subgraph owns.
 */
export async function buildFederatedSchema(
  options: Omit<BuildSchemaOptions, 'skipCheck' | 'scalarsMap'>,
  referenceResolvers?: GraphQLResolverMap<unknown>,
): Promise<GraphQLSchema> {
  const schema = await buildSchema({ ...options, scalarsMap, skipCheck: true, validate: false });
  const typeDefs = gql`
    ${FEDERATION_LINK}
    ${printSchemaWithDirectives(schema)}
  `;
  const federated = buildSubgraphSchema({
    typeDefs,
    resolvers: createResolversMap(schema) as GraphQLResolverMap<unknown>,
  });
  return referenceResolvers ? addResolversToSchema({ schema: federated, resolvers: referenceResolvers as never, updateResolversInPlace: true }) : federated;
}
