import { SESSION_CLEAR_HEADER, SESSION_SET_HEADER, BadUserInputError, ConflictError, UnauthenticatedError, cleanEmail, cleanText, type BaseContext } from '@stagelives/schema';
import type { SessionStore } from '@stagelives/platform';
import { DuplicateKeyError, type UserRepository } from '../user/user.repository.js';
import { Role, type UserDocument } from '../user/user.type.js';
import { checkNewPassword, hashPassword, verifyPassword } from './password.js';
import type { SignUpInput } from './auth.type.js';

const NICKNAME = /^[\p{L}\p{N}_.-]+$/u;

export function cleanNickname(value: string, field = 'nickname'): string {
  const nickname = cleanText(value, { field, min: 2, max: 30 });
  if (!NICKNAME.test(nickname)) {
    throw new BadUserInputError(`${field} may contain only letters, digits, '_', '.' and '-'.`, field);
  }
  return nickname;
}

export interface AuthServiceDeps {
  users: UserRepository;
  sessions: SessionStore;
  adminEmails: readonly string[];
}

/** Sign-up, log-in and log-out: credentials in, sessions out. */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  rolesFor(emailLower: string | null): Role[] {
    return emailLower && this.deps.adminEmails.includes(emailLower) ? [Role.USER, Role.ADMIN] : [Role.USER];
  }

  async signUp(input: SignUpInput, ctx: BaseContext): Promise<{ token: string; user: UserDocument }> {
    const email = cleanEmail(input.email, 'input.email');
    const nickname = cleanNickname(input.nickname, 'input.nickname');
    const password = checkNewPassword(input.password, 'input.password');
    const now = new Date();
    let user: UserDocument;
    try {
      user = await this.deps.users.insert({
        email,
        emailLower: email.toLowerCase(),
        nickname,
        nicknameLower: nickname.toLowerCase(),
        passwordHash: await hashPassword(password),
        avatarUrl: null,
        roles: this.rolesFor(email.toLowerCase()),
        createdAt: now,
        updatedAt: now,
      });
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        throw error.field === 'nickname'
          ? new ConflictError('This nickname is taken.', 'input.nickname')
          : new ConflictError('An account with this email already exists.', 'input.email');
      }
      throw error;
    }
    return { token: await this.startSession(user, ctx), user };
  }

  async logIn(emailInput: string, password: string, ctx: BaseContext): Promise<{ token: string; user: UserDocument }> {
    const emailLower = emailInput.trim().toLowerCase();
    const user = emailLower.length <= 254 ? await this.deps.users.findByEmail(emailLower) : null;
    const ok = await verifyPassword(user?.passwordHash ?? null, password.slice(0, 1024));
    if (!user || !ok) throw new UnauthenticatedError('Invalid email or password.');
    return { token: await this.startSession(user, ctx), user };
  }

  async logOut(ctx: BaseContext): Promise<boolean> {
    if (ctx.viewer) await this.deps.sessions.delete(ctx.viewer.sessionId, ctx.viewer.userId);
    ctx.responseHeaders.set(SESSION_CLEAR_HEADER, '1');
    return true;
  }

  /** A new session id at every log-in; a session the request already carried ends (no fixation). */
  private async startSession(user: UserDocument, ctx: BaseContext): Promise<string> {
    if (ctx.viewer) await this.deps.sessions.delete(ctx.viewer.sessionId, ctx.viewer.userId);
    const { token, session } = await this.deps.sessions.create(user._id.toHexString(), user.roles);
    ctx.responseHeaders.set(SESSION_SET_HEADER, token);
    // The rest of this response is read by the user who just signed in.
    ctx.viewer = { userId: session.userId, roles: session.roles, sessionId: session.id };
    return token;
  }
}
