import { Role } from '../user/user.type.js';

/** A new account's roles: ADMIN too when its (lower-cased, verified) email is in ADMIN_EMAILS. */
export function rolesFor(emailLower: string | undefined, adminEmails: readonly string[]): Role[] {
  return emailLower && adminEmails.includes(emailLower) ? [Role.USER, Role.ADMIN] : [Role.USER];
}

/**
 * ADMIN_EMAILS only bootstraps the first admins: an existing account whose email is listed
 * becomes admin at sign-in only while the graph has no admin at all (`anyAdmin` false). Once an
 * admin exists, roles change only through grantRole/revokeRole, so a revoked admin whose email
 * is still listed stays revoked. Returns the roles to store, or null when nothing changes.
 * Never removes a role (leaving the list does not demote).
 */
export function bootstrapRoles(current: readonly Role[], emailLower: string | undefined, adminEmails: readonly string[], anyAdmin: boolean): Role[] | null {
  const wanted = anyAdmin ? [Role.USER] : rolesFor(emailLower, adminEmails);
  if (wanted.every((r) => current.includes(r))) return null;
  return [...new Set([...current, ...wanted])];
}

/** The roles an admin may grant and revoke (USER is every account's, always). */
export const GRANTABLE_ROLES: readonly Role[] = [Role.MODERATOR, Role.ADMIN];

/** Why a role change is refused, or null when it may happen. */
export type RoleChangeRefusal = 'NOT_GRANTABLE' | 'LAST_ADMIN';

/**
 * Whether `role` may be revoked from an account holding `targetRoles` when `otherAdmins` other
 * accounts are admins: only MODERATOR and ADMIN are revoked, and the last admin keeps ADMIN
 * (the graph would have nobody left to grant it).
 */
export function revokeRefusal(role: Role, targetRoles: readonly Role[], otherAdmins: number): RoleChangeRefusal | null {
  if (!GRANTABLE_ROLES.includes(role)) return 'NOT_GRANTABLE';
  if (role === Role.ADMIN && targetRoles.includes(Role.ADMIN) && otherAdmins === 0) return 'LAST_ADMIN';
  return null;
}
