import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { parse } from 'graphql';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';
import { CACHE_CONTROL_SDL } from './cache-control.js';
import { RATE_LIMIT_SDL } from './rate-limit.js';
import { VIEWER_DEPENDENT_SDL } from './viewer-dependent.js';
import { scalarsMap } from './scalars.js';

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@cost", "@listSize", "@composeDirective"])';

/**
 * Builds a Federation 2 subgraph schema from type-graphql resolvers.
 * `referenceResolvers` supplies `__resolveReference` for the entities this subgraph owns.
 */
export async function buildFederatedSchema(
  options: Omit<BuildSchemaOptions, 'skipCheck' | 'scalarsMap'>,
  referenceResolvers?: GraphQLResolverMap<unknown>,
): Promise<GraphQLSchema> {
  const schema = await buildSchema({ ...options, scalarsMap, skipCheck: true, validate: false });
  const typeDefs = parse(`${FEDERATION_LINK}\n${CACHE_CONTROL_SDL}\n${VIEWER_DEPENDENT_SDL}\n${RATE_LIMIT_SDL}\n${printSchemaWithDirectives(schema)}`);
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  for (const [typeName, extra] of Object.entries(referenceResolvers ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...(extra as object) } as GraphQLResolverMap<unknown>[string];
  }
  return buildSubgraphSchema({ typeDefs, resolvers });
}
