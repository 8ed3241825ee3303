import 'reflect-metadata';
import { Directive } from 'type-graphql';

/**
 * Cache hints subgraphs declare, Apollo's `@cacheControl` (read by Apollo Server's cache-control
 * plugin in each subgraph, which answers with a `Cache-Control` header the router combines).
 * Opt-in: a root field or object field with no hint has max-age 0 and makes the whole operation
 * uncacheable; scalar fields inherit their parent's. Mark anything whose value depends on who
 * asks (`viewer*`, `me`, fields only the owner may read) `PRIVATE`: the router never shares a
 * PRIVATE answer between viewers (see router/src/response-cache/).
 */
export const CACHE_CONTROL_SDL = `
enum CacheControlScope @inaccessible { PUBLIC PRIVATE }
directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
`;

/** Default max-age of public reads. Writes purge entries through domain events, so this is a safety net. */
export const PUBLIC_MAX_AGE_SECONDS = 60;

/** The answer may be shared between viewers for `maxAge` seconds (type or field). */
export const CachePublic = (maxAge = PUBLIC_MAX_AGE_SECONDS) => Directive(`@cacheControl(maxAge: ${maxAge})`);
/** The type's fields take the max-age of the field that returns it (connections, edges). */
export const CacheInherit = () => Directive('@cacheControl(inheritMaxAge: true)');
