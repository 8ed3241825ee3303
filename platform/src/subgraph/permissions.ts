import type { GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow, deny, rule, shield } from 'graphql-shield';
import type { IRules } from 'graphql-shield';
import { ForbiddenError, UnauthenticatedError } from '@stagelives/schema';
import { hasRole, type BaseContext } from './authorization.js';

/** The viewer is signed in (a valid identity came from the router). */
export const isAuthenticated = rule({ cache: 'contextual' })((_parent, _args, ctx: BaseContext) =>
  ctx.viewer ? true : new UnauthenticatedError(),
);

/** The viewer is an admin. */
export const isAdmin = rule({ cache: 'contextual' })((_parent, _args, ctx: BaseContext) => {
  if (!ctx.viewer) return new UnauthenticatedError();
  return hasRole(ctx.viewer, 'ADMIN') ? true : new ForbiddenError('Only administrators can do this.');
});

/** Anyone, signed in or not. */
export const isPublic = allow;

export type PermissionRules = { Query?: Record<string, unknown>; Mutation?: Record<string, unknown> } & Record<string, unknown>;

/**
 * graphql-shield over a subgraph schema. Mutations are denied unless a rule names them;
 * queries and fields default to allowed (federation's `_entities`/`_service` must stay open).
 * Errors thrown by resolvers pass through unchanged.
 */
export function applyPermissions(schema: GraphQLSchema, { Mutation = {}, ...rest }: PermissionRules): GraphQLSchema {
  const mutationType = schema.getMutationType();
  const mutationRules: Record<string, unknown> = {};
  // Deny by default: every mutation field not named gets `deny`.
  for (const name of Object.keys(mutationType?.getFields() ?? {})) mutationRules[name] = Mutation[name] ?? deny;
  const unknown = Object.keys(Mutation).filter((name) => !(name in mutationRules));
  if (unknown.length) throw new Error(`permission rules for unknown mutations: ${unknown.join(', ')}`);
  const rules = { ...rest, ...(mutationType ? { Mutation: mutationRules } : {}) } as IRules;
  return applyMiddleware(
    schema,
    shield(rules, {
      allowExternalErrors: true,
      fallbackRule: allow,
      fallbackError: () => new ForbiddenError(),
    }),
  );
}
