import { Role } from '../user/user.type.js';

/** Longest suspension reason (plain text). */
export const MAX_REASON_LENGTH = 500;

/** Why a staff member may not suspend (or lift the suspension of) an account, or null when they may. */
export type SuspendRefusal = 'SELF' | 'STAFF_TARGET';

/**
 * Who may suspend whom: nobody suspends themself; a moderator does not suspend staff (a
 * moderator or an admin); an admin may suspend anyone else. The actor is staff already (the
 * mutation's permission rule).
 */
export function suspendRefusal(actor: { userId: string; roles: readonly string[] }, target: { id: string; roles: readonly string[] }): SuspendRefusal | null {
  if (actor.userId === target.id) return 'SELF';
  const targetIsStaff = target.roles.includes(Role.MODERATOR) || target.roles.includes(Role.ADMIN);
  if (targetIsStaff && !actor.roles.includes(Role.ADMIN)) return 'STAFF_TARGET';
  return null;
}

/** Why `until` cannot end a new suspension, or null: it must be in the future (null: indefinite). */
export function untilRefusal(until: Date | null | undefined, now: Date): string | null {
  if (until === null || until === undefined) return null;
  if (Number.isNaN(until.getTime())) return 'until is not a valid date.';
  if (until.getTime() <= now.getTime()) return 'until must be in the future (or null for an indefinite suspension).';
  return null;
}
