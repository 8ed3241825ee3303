import { createRequire } from 'node:module';
import type { GraphQLSchema } from 'graphql';
import type * as GraphqlMiddleware from 'graphql-middleware';
import type * as GraphqlShield from 'graphql-shield';
import type { IRules } from 'graphql-shield';
import { EmailNotVerifiedError, ForbiddenError, UnauthenticatedError } from '@stagelives/schema';
import { env, loadConfig } from '../config.js';
import { hasRole, isStaffMember, type BaseContext } from './authorization.js';

// graphql-shield 7.6.5 (its last release) imports `isUndefined` from 'util', which Node 23 removed:
// its ES module build no longer links on Node 24 (maticzav/graphql-shield#1561, unmaintained). Its
// CommonJS build reads `util.isUndefined` only inside the `chain`/`race` rules, which we do not use
// (they would throw when run), so that build loads and works; graphql-middleware's CommonJS build
// with it (its `applyMiddleware` recognises only its own build's middleware generator).
const require = createRequire(import.meta.url);
const { allow, deny, rule, shield } = require('graphql-shield') as typeof GraphqlShield;
const { applyMiddleware } = require('graphql-middleware') as typeof GraphqlMiddleware;

/** The viewer is signed in (a valid identity came from the router). */
export const isAuthenticated = rule({ cache: 'contextual' })((_parent, _args, ctx: BaseContext) => (ctx.viewer ? true : new UnauthenticatedError()));

/** The viewer is an admin. */
export const isAdmin = rule({ cache: 'contextual' })((_parent, _args, ctx: BaseContext) => {
  if (!ctx.viewer) return new UnauthenticatedError();
  return hasRole(ctx.viewer, 'ADMIN') ? true : new ForbiddenError('Only administrators can do this.');
});

/** The viewer is staff: a moderator or an admin. */
export const isStaff = rule({ cache: 'contextual' })((_parent, _args, ctx: BaseContext) => {
  if (!ctx.viewer) return new UnauthenticatedError();
  return isStaffMember(ctx.viewer) ? true : new ForbiddenError('Only moderators and administrators can do this.');
});

/** REQUIRE_VERIFIED_EMAIL: whether posting (chat messages, articles, comments, reports) needs a verified email. Off by default. */
const verifiedEmailEnv = { REQUIRE_VERIFIED_EMAIL: env.bool.default('false') };

/**
 * The rule for what an unverified account may not do: signed in, and, when the deployment's
 * REQUIRE_VERIFIED_EMAIL (read from `environment`) is on, with a verified email
 * (EMAIL_NOT_VERIFIED otherwise). Off: the same as `isAuthenticated`.
 */
export function isVerifiedMember(environment: NodeJS.ProcessEnv) {
  const required = loadConfig(verifiedEmailEnv, environment).REQUIRE_VERIFIED_EMAIL;
  return rule({ cache: 'contextual' })((_parent, _args, ctx: BaseContext) => {
    if (!ctx.viewer) return new UnauthenticatedError();
    return !required || ctx.viewer.emailVerified === true ? true : new EmailNotVerifiedError();
  });
}

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
