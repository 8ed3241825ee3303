import type { ObjectId } from 'mongodb';
import type { AuditApplier, AuditTrail } from '@stagelives/platform';
import { hasRole, isStaffMember } from '@stagelives/platform/subgraph';
import { BadUserInputError, ForbiddenError, NotFoundError, parseId, type AuditActionName, type Identity } from '@stagelives/schema';
import type { AuthService } from '../auth/auth.service.js';
import { GRANTABLE_ROLES, revokeRefusal } from '../auth/roles.js';
import type { UserRepository } from '../user/user.repository.js';
import { Role, activeSuspension, type UserDocument } from '../user/user.type.js';
import type { AdminLock } from './admin-lock.js';
import { MAX_REASON_LENGTH, suspendRefusal, untilRefusal } from './suspension.js';

/** The users domain's audited staff actions and the appliers that do them (idempotent: the trail may apply one again after a crash). */
type StaffAction = Extract<AuditActionName, 'ROLE_GRANTED' | 'ROLE_REVOKED' | 'USER_SUSPENDED' | 'USER_UNSUSPENDED'>;

interface RoleCommand {
  userId: string;
  role: Role;
}

interface SuspendCommand {
  userId: string;
  reason: string;
  /** ISO-8601, or null (indefinite). */
  until: string | null;
  createdAt: string;
  byId: string;
}

const sameRoles = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((r) => b.includes(r));

const LAST_ADMIN = 'The last administrator cannot be demoted: grant ADMIN to another account first.';

/**
 * Roles and suspensions, decided by staff: `grantRole`/`revokeRole` (admins) and
 * `suspendUser`/`unsuspendUser` (staff). Each goes through the users domain's AuditTrail, so an
 * action and its audit entry are never one without the other. A change reaches the account's
 * sessions at once: new roles are written into every live session (the next request carries
 * them, open sockets re-read them), a suspension ends every session.
 */
export class StaffService {
  /** Built from `appliers` by the caller (it needs this service's appliers; server.ts starts and stops it). */
  readonly trail: AuditTrail;

  constructor(
    private readonly users: UserRepository,
    private readonly auth: AuthService,
    private readonly adminLock: AdminLock,
    trailOf: (appliers: Record<StaffAction, AuditApplier>) => AuditTrail,
  ) {
    this.trail = trailOf({
      ROLE_GRANTED: (command) => this.applyGrant(command as unknown as RoleCommand),
      ROLE_REVOKED: (command) => this.applyRevoke(command as unknown as RoleCommand),
      USER_SUSPENDED: (command) => this.applySuspend(command as unknown as SuspendCommand),
      USER_UNSUSPENDED: (command) => this.applyUnsuspend(command as unknown as { userId: string }),
    });
  }

  async grantRole(viewer: Identity, userId: string, role: Role): Promise<UserDocument> {
    requireAdminViewer(viewer);
    checkGrantable(role);
    const target = await this.target(userId);
    if (target.roles.includes(role)) return target;
    return this.trail.record<UserDocument>({ actorId: viewer.userId, action: 'ROLE_GRANTED', targetType: 'USER', targetId: userId, details: { role } }, {
      userId,
      role,
    } satisfies RoleCommand);
  }

  async revokeRole(viewer: Identity, userId: string, role: Role): Promise<UserDocument> {
    requireAdminViewer(viewer);
    checkGrantable(role);
    const target = await this.target(userId);
    if (!target.roles.includes(role)) return target;
    const record = () =>
      this.trail.record<UserDocument>({ actorId: viewer.userId, action: 'ROLE_REVOKED', targetType: 'USER', targetId: userId, details: { role } }, {
        userId,
        role,
      } satisfies RoleCommand);
    // Two admins demoting each other at once must not both pass the last-admin check.
    return role === Role.ADMIN ? this.adminLock.run(record) : record();
  }

  async suspendUser(viewer: Identity, userId: string, reasonInput: string, until: Date | null | undefined, now = new Date()): Promise<UserDocument> {
    requireStaffViewer(viewer);
    const reason = reasonInput.trim();
    if (!reason) throw new BadUserInputError('Give a reason for the suspension.', 'reason');
    if (reason.length > MAX_REASON_LENGTH) throw new BadUserInputError(`The reason must be at most ${MAX_REASON_LENGTH} characters.`, 'reason');
    const untilProblem = untilRefusal(until, now);
    if (untilProblem) throw new BadUserInputError(untilProblem, 'until');
    if (viewer.userId === userId) throw new ForbiddenError('You cannot suspend yourself.');
    const target = await this.target(userId);
    checkSuspendable(viewer, target);
    const untilIso = until ? until.toISOString() : null;
    return this.trail.record<UserDocument>(
      {
        actorId: viewer.userId,
        action: 'USER_SUSPENDED',
        targetType: 'USER',
        targetId: userId,
        reason,
        details: untilIso ? { until: untilIso } : {},
      },
      { userId, reason, until: untilIso, createdAt: now.toISOString(), byId: viewer.userId } satisfies SuspendCommand,
      now,
    );
  }

  async unsuspendUser(viewer: Identity, userId: string): Promise<UserDocument> {
    requireStaffViewer(viewer);
    if (viewer.userId === userId) throw new ForbiddenError('You cannot lift your own suspension.');
    const target = await this.target(userId);
    checkSuspendable(viewer, target);
    if (!activeSuspension(target)) return target;
    return this.trail.record<UserDocument>({ actorId: viewer.userId, action: 'USER_UNSUSPENDED', targetType: 'USER', targetId: userId }, { userId });
  }

  private async target(userId: string): Promise<UserDocument> {
    const user = await this.users.findById(parseId(userId, 'userId'));
    if (!user || user.deletedAt) throw new NotFoundError('User', userId);
    return user;
  }

  private async applyGrant({ userId, role }: RoleCommand): Promise<UserDocument> {
    const user = await this.users.addRole(parseId(userId, 'userId'), role);
    if (!user) throw new NotFoundError('User', userId);
    return this.syncSessions(user);
  }

  private async applyRevoke({ userId, role }: RoleCommand): Promise<UserDocument> {
    const id = parseId(userId, 'userId');
    if (role === Role.ADMIN) {
      // Checked where the write happens, so a recovered revoke is checked too.
      const target = await this.users.findById(id);
      const others = await this.users.countWithRole(Role.ADMIN, id);
      if (target && revokeRefusal(role, target.roles, others) === 'LAST_ADMIN') throw new ForbiddenError(LAST_ADMIN);
    }
    const user = await this.users.removeRole(id, role);
    if (!user) throw new NotFoundError('User', userId);
    return this.syncSessions(user);
  }

  private async applySuspend(command: SuspendCommand): Promise<UserDocument> {
    const user = await this.users.setSuspension(parseId(command.userId, 'userId'), {
      reason: command.reason,
      until: command.until ? new Date(command.until) : null,
      createdAt: new Date(command.createdAt),
      byId: command.byId,
    });
    if (!user) throw new NotFoundError('User', command.userId);
    // Every session ends now; the routers close the account's open sockets (SessionStore announces it).
    await this.auth.endAllSessions(command.userId);
    return user;
  }

  private async applyUnsuspend({ userId }: { userId: string }): Promise<UserDocument> {
    const user = await this.users.clearSuspension(parseId(userId, 'userId'));
    if (!user) throw new NotFoundError('User', userId);
    return user;
  }

  /**
   * Writes the account's roles into its live sessions, then reads the account again: when a
   * concurrent change wrote other roles in between, the newest roles are written again, so the
   * sessions end as the account is.
   */
  private async syncSessions(user: UserDocument): Promise<UserDocument> {
    let current = user;
    for (let round = 0; round < 3; round += 1) {
      await this.auth.setSessionRoles(current._id.toHexString(), current.roles);
      const again = await this.users.findById(current._id as ObjectId);
      if (!again || sameRoles(again.roles, current.roles)) return current;
      current = again;
    }
    return current;
  }
}

function requireAdminViewer(viewer: Identity): void {
  if (!hasRole(viewer, 'ADMIN')) throw new ForbiddenError('Only administrators can grant and revoke roles.');
}

function requireStaffViewer(viewer: Identity): void {
  if (!isStaffMember(viewer)) throw new ForbiddenError('Only moderators and administrators can do this.');
}

function checkGrantable(role: Role): void {
  if (!GRANTABLE_ROLES.includes(role)) throw new BadUserInputError('Only MODERATOR and ADMIN can be granted or revoked.', 'role');
}

function checkSuspendable(viewer: Identity, target: UserDocument): void {
  const refusal = suspendRefusal(viewer, { id: target._id.toHexString(), roles: target.roles });
  if (refusal === 'SELF') throw new ForbiddenError('You cannot suspend yourself.');
  if (refusal === 'STAFF_TARGET') throw new ForbiddenError('Moderators cannot suspend or unsuspend staff; ask an administrator.');
}
