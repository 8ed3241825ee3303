import type { Identity, IdentityVerdict, Logger, Role } from '@stagelives/platform';
import { ForbiddenError, UnauthenticatedError } from './errors.js';

/** Headers a subgraph sends back to the router to change the client's session cookie. */
export const SESSION_SET_HEADER = 'x-stagelives-session-set';
export const SESSION_CLEAR_HEADER = 'x-stagelives-session-clear';

/** What every subgraph resolver gets; domains extend it with their loaders and services. */
export interface BaseContext {
  requestId: string;
  logger: Logger;
  /** The verified viewer, or null when the request carries no valid identity. */
  viewer: Identity | null;
  /** Why there is no viewer (for logs; clients only ever see UNAUTHENTICATED). */
  identityVerdict: IdentityVerdict;
  /** Response headers for the router (session changes). */
  responseHeaders: Map<string, string>;
}

export function requireViewer(ctx: BaseContext): Identity {
  if (!ctx.viewer) {
    if (ctx.identityVerdict.ok === false && ctx.identityVerdict.reason !== 'missing') {
      ctx.logger.warn({ reason: ctx.identityVerdict.reason }, 'rejected identity header');
    }
    throw new UnauthenticatedError();
  }
  return ctx.viewer;
}

export function hasRole(viewer: Identity | null, role: Role): boolean {
  return viewer?.roles.includes(role) ?? false;
}

export function requireAdmin(ctx: BaseContext): Identity {
  const viewer = requireViewer(ctx);
  if (!hasRole(viewer, 'ADMIN')) throw new ForbiddenError('Only administrators can do this.');
  return viewer;
}
