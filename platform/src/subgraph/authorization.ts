import { ForbiddenError, STAFF_ROLES, UnauthenticatedError, type Identity, type IdentityVerdict, type Role, type SessionChange } from '@stagelives/schema';
import type { Logger } from '../logger.js';

/** What every subgraph resolver gets; domains extend it with their loaders and services. */
export interface BaseContext {
  requestId: string;
  logger: Logger;
  /** The verified viewer, or null when the request carries no valid identity. */
  viewer: Identity | null;
  /** Why there is no viewer (for logs; clients only ever see UNAUTHENTICATED). */
  identityVerdict: IdentityVerdict;
  /**
   * A session a resolver started or ended during this request (services return it; resolvers
   * put it here); the subgraph server sends it to the router, which sets the cookie.
   */
  sessionChange: SessionChange | null;
  /** The client's `Accept-Language`, as the router passed it on (a new account's mail language). */
  acceptLanguage?: string | undefined;
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

/** Staff: a moderator or an admin. */
export function isStaffMember(viewer: Identity | null): boolean {
  return STAFF_ROLES.some((role) => hasRole(viewer, role));
}

export function requireStaff(ctx: BaseContext): Identity {
  const viewer = requireViewer(ctx);
  if (!isStaffMember(viewer)) throw new ForbiddenError('Only moderators and administrators can do this.');
  return viewer;
}

/** The viewer themself or an admin; everyone else is FORBIDDEN with `message`. */
export function requireSelfOrAdmin(viewer: Identity, userId: string, message: string): void {
  if (viewer.userId !== userId && !hasRole(viewer, 'ADMIN')) throw new ForbiddenError(message);
}
