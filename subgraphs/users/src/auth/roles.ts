import { Role } from '../user/user.type.js';

/** A new account's roles: ADMIN too when its (lower-cased, verified) email is in ADMIN_EMAILS. */
export function rolesFor(emailLower: string | undefined, adminEmails: readonly string[]): Role[] {
  return emailLower && adminEmails.includes(emailLower) ? [Role.USER, Role.ADMIN] : [Role.USER];
}

/**
 * Accounts listed in ADMIN_EMAILS become admins at their next sign-in: the roles to store, or
 * null when the account already has them. Never removes a role (leaving the list does not demote).
 */
export function bootstrapRoles(current: readonly Role[], emailLower: string | undefined, adminEmails: readonly string[]): Role[] | null {
  const wanted = rolesFor(emailLower, adminEmails);
  if (wanted.every((r) => current.includes(r))) return null;
  return [...new Set([...current, ...wanted])];
}
