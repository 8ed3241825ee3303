import type { UpdateFilter } from 'mongodb';
import { hasRole, isStaffMember } from '@stagelives/platform/subgraph';
import { BadUserInputError, ConflictError, NotFoundError, UserEventType, cleanHttpUrl, parseId, type Identity, type SessionChange } from '@stagelives/schema';
import type { AuthService } from '../auth/auth.service.js';
import { checkNewPassword, hashPassword, verifyPassword } from '../auth/password.js';
import type { UserEvents } from './user-events.js';
import { cleanNickname, nicknameKey } from './nickname.js';
import { DuplicateKeyError, type UserRepository } from './user.repository.js';
import type { UpdateProfileInput } from './user.input.js';
import type { Suspension, UserDocument } from './user.type.js';

/** An account deletion: the request's session is gone too (the router clears the cookie). */
export interface AccountDeleted {
  sessionChange: SessionChange;
}

/** What a profile update sets; nothing when the input changes nothing. */
function profileChanges(input: UpdateProfileInput): Partial<Pick<UserDocument, 'nickname' | 'nicknameLower' | 'avatarUrl'>> {
  const set: Partial<Pick<UserDocument, 'nickname' | 'nicknameLower' | 'avatarUrl'>> = {};
  if (input.nickname !== undefined && input.nickname !== null) {
    set.nickname = cleanNickname(input.nickname, 'input.nickname');
    set.nicknameLower = nicknameKey(set.nickname);
  }
  if (input.avatarUrl !== undefined) set.avatarUrl = input.avatarUrl === null ? null : cleanHttpUrl(input.avatarUrl, 'input.avatarUrl');
  return set;
}

/** Profile, password and account lifecycle of the signed-in user (`viewer`). */
export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly auth: AuthService,
    /** Announces the deletion (the notifications domain drops the account's reminders and history). */
    private readonly events?: UserEvents,
  ) {}

  private async current(viewer: Identity): Promise<UserDocument> {
    const user = await this.users.findById(parseId(viewer.userId, 'viewer'));
    if (!user || user.deletedAt) throw new NotFoundError('Account');
    return user;
  }

  /** A user's email as the viewer may see it: only the user themself and admins read it (the field is `@viewerDependent(OWNER)`). */
  emailFor(viewer: Identity | null, user: { id: string; email: string | null }): string | null {
    return viewer?.userId === user.id || hasRole(viewer, 'ADMIN') ? user.email : null;
  }

  /** Whether a user's email is verified, as the viewer may see it: the user themself, admins, and the holder of the link that just verified it. */
  emailVerifiedFor(viewer: Identity | null, user: { id: string; emailVerified: boolean | null; verifiedByLink?: boolean }): boolean | null {
    return user.verifiedByLink || viewer?.userId === user.id || hasRole(viewer, 'ADMIN') ? user.emailVerified : null;
  }

  /** A user's suspension as the viewer may see it: the user themself and staff (the field is `@viewerDependent(OWNER)`). */
  suspensionFor(viewer: Identity | null, user: { id: string; suspension: Suspension | null }): Suspension | null {
    return viewer?.userId === user.id || isStaffMember(viewer) ? user.suspension : null;
  }

  async updateProfile(viewer: Identity, input: UpdateProfileInput): Promise<UserDocument> {
    const set = profileChanges(input);
    if (Object.keys(set).length === 0) return this.current(viewer);
    try {
      const updated = await this.users.update(parseId(viewer.userId, 'viewer'), { $set: set } as UpdateFilter<UserDocument>);
      if (!updated) throw new NotFoundError('Account');
      return updated;
    } catch (error) {
      if (error instanceof DuplicateKeyError && error.field === 'nickname') throw new ConflictError('This nickname is taken.', 'input.nickname');
      throw error;
    }
  }

  /** Changes the password and ends every other session of the account (the viewer's stays). */
  async changePassword(viewer: Identity, currentPassword: string, newPassword: string): Promise<boolean> {
    const user = await this.current(viewer);
    if (!user.passwordHash) throw new BadUserInputError('This account signs in with Google or Apple and has no password.', 'currentPassword');
    if (!(await verifyPassword(user.passwordHash, currentPassword))) {
      throw new BadUserInputError('The current password is not correct.', 'currentPassword');
    }
    const password = checkNewPassword(newPassword, 'newPassword');
    if (password === currentPassword) throw new BadUserInputError('The new password must differ from the current one.', 'newPassword');
    await this.users.update(user._id, { $set: { passwordHash: await hashPassword(password) } });
    await this.auth.endOtherSessions(viewer.userId, viewer.sessionId);
    return true;
  }

  /**
   * Deletes the account: sessions and personal data go; the document stays as a tombstone so
   * articles and messages show a "deleted user" author. `user.deleted` tells the other domains
   * (notifications forgets devices and preferences, chat memberships).
   */
  async deleteAccount(viewer: Identity, password: string | null | undefined): Promise<AccountDeleted> {
    const user = await this.current(viewer);
    if (user.passwordHash) {
      if (!password) throw new BadUserInputError('Enter your password to delete your account.', 'password');
      if (!(await verifyPassword(user.passwordHash, password))) {
        throw new BadUserInputError('The password is not correct.', 'password');
      }
    }
    const sessionChange = await this.auth.endAllSessions(viewer.userId);
    await this.users.tombstone(user._id);
    await this.events?.emit(UserEventType.Deleted, { userId: viewer.userId });
    return { sessionChange };
  }
}
