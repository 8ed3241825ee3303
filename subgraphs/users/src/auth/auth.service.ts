import { randomInt } from 'node:crypto';
import type { ObjectId } from 'mongodb';
import { SESSION_CLEAR_HEADER, SESSION_SET_HEADER, BadUserInputError, ConflictError, UnauthenticatedError, cleanEmail, cleanText } from '@stagelives/schema';
import type { BaseContext } from '@stagelives/platform/subgraph';
import type { SessionStore } from '@stagelives/platform';
import { DuplicateKeyError, type Provider, type UserRepository } from '../user/user.repository.js';
import { Role, type UserDocument } from '../user/user.type.js';
import type { BruteForceGuard } from './brute-force.js';
import type { OidcVerifier, VerifiedIdentity } from './oidc.js';
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

/** A nickname candidate from free text (a provider's name or an email's local part). */
function nicknameFrom(text: string | null | undefined): string {
  const base = (text ?? '').normalize('NFKC').replace(/[^\p{L}\p{N}_.-]+/gu, '').slice(0, 24);
  return base.length >= 2 ? base : 'fan';
}

export interface AuthServiceDeps {
  users: UserRepository;
  sessions: SessionStore;
  bruteForce: BruteForceGuard;
  adminEmails: readonly string[];
  google: OidcVerifier;
  apple: OidcVerifier;
}

export interface SignedIn {
  token: string;
  user: UserDocument;
}

/** Sign-up, log-in (password, Google, Apple) and log-out: credentials in, sessions out. */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  rolesFor(emailLower: string | undefined): Role[] {
    return emailLower && this.deps.adminEmails.includes(emailLower) ? [Role.USER, Role.ADMIN] : [Role.USER];
  }

  async signUp(input: SignUpInput, ctx: BaseContext): Promise<SignedIn> {
    const email = cleanEmail(input.email, 'input.email');
    const nickname = cleanNickname(input.nickname, 'input.nickname');
    const password = checkNewPassword(input.password, 'input.password');
    await this.deps.bruteForce.ensureAvailable();
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

  async logIn(emailInput: string, password: string, ctx: BaseContext): Promise<SignedIn> {
    const emailLower = emailInput.trim().toLowerCase().slice(0, 254);
    // Counted before the password is checked: parallel attempts cannot exceed the limit.
    await this.deps.bruteForce.begin(emailLower);
    const user = await this.deps.users.findByEmail(emailLower);
    const ok = await verifyPassword(user?.passwordHash ?? null, password.slice(0, 1024));
    if (!user || !ok) {
      await this.deps.bruteForce.failed(emailLower);
      throw new UnauthenticatedError('Invalid email or password.');
    }
    await this.deps.bruteForce.succeeded(emailLower);
    return { token: await this.startSession(await this.withBootstrapRoles(user), ctx), user };
  }

  async signInWithProvider(provider: Provider, idToken: string, nicknameHint: string | null | undefined, ctx: BaseContext): Promise<SignedIn> {
    const verifier = provider === 'google' ? this.deps.google : this.deps.apple;
    const identity = await verifier.verify(idToken);
    const user = await this.findOrCreateForProvider(provider, identity, nicknameHint);
    return { token: await this.startSession(await this.withBootstrapRoles(user), ctx), user };
  }

  async logOut(ctx: BaseContext): Promise<boolean> {
    if (ctx.viewer) await this.deps.sessions.delete(ctx.viewer.sessionId, ctx.viewer.userId);
    ctx.sessionChange = { kind: 'clear' };
    return true;
  }

  /** Ends every session of a user but the one given (password change). */
  endOtherSessions(userId: string, keepSessionId: string): Promise<number> {
    return this.deps.sessions.deleteAllForUser(userId, keepSessionId);
  }

  async endAllSessions(userId: string, ctx: BaseContext): Promise<void> {
    await this.deps.sessions.deleteAllForUser(userId);
    ctx.sessionChange = { kind: 'clear' };
  }

  /** Linking is by provider + subject; an existing account is linked by email only when the provider verified it. */
  private async findOrCreateForProvider(provider: Provider, identity: VerifiedIdentity, nicknameHint: string | null | undefined): Promise<UserDocument> {
    const linked = await this.deps.users.findByProvider(provider, identity.subject);
    if (linked) return linked;
    const emailLower = identity.email?.toLowerCase();
    if (emailLower && identity.emailVerified) {
      const existing = await this.deps.users.findByEmail(emailLower);
      if (existing) {
        const updated = await this.deps.users.linkProvider(existing._id, provider, identity.subject);
        if (updated) return updated;
      }
    }
    const wanted = nicknameHint ? cleanNickname(nicknameHint, 'nickname') : nicknameFrom(identity.name ?? identity.email?.split('@')[0]);
    const now = new Date();
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const nickname = attempt === 0 ? wanted : `${wanted.slice(0, 24)}${randomInt(1000, 999_999)}`;
      try {
        return await this.deps.users.insert({
          email: identity.email,
          ...(emailLower && identity.emailVerified ? { emailLower } : {}),
          nickname,
          nicknameLower: nickname.toLowerCase(),
          passwordHash: null,
          avatarUrl: null,
          roles: this.rolesFor(identity.emailVerified ? emailLower : undefined),
          createdAt: now,
          updatedAt: now,
          [provider === 'google' ? 'googleSub' : 'appleSub']: identity.subject,
        });
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error;
        if (error.field === 'provider') {
          // Another request created this account a moment ago.
          const raced = await this.deps.users.findByProvider(provider, identity.subject);
          if (raced) return raced;
        }
        if (error.field === 'email') throw new ConflictError('An account with this email already exists; log in with its password.', 'email');
        if (error.field !== 'nickname') throw error;
        if (nicknameHint && attempt === 0) throw new ConflictError('This nickname is taken.', 'nickname');
      }
    }
    throw new ConflictError('Could not find a free nickname; pass one explicitly.', 'nickname');
  }

  /** Accounts listed in ADMIN_EMAILS become admins at their next sign-in. */
  private async withBootstrapRoles(user: UserDocument): Promise<UserDocument> {
    const wanted = this.rolesFor(user.emailLower);
    if (wanted.every((r) => user.roles.includes(r))) return user;
    const roles = [...new Set([...user.roles, ...wanted])];
    return (await this.deps.users.setRoles(user._id as ObjectId, roles)) ?? { ...user, roles };
  }

  /** A new session id at every sign-in; a session the request already carried ends (no fixation). */
  private async startSession(user: UserDocument, ctx: BaseContext): Promise<string> {
    if (ctx.viewer) await this.deps.sessions.delete(ctx.viewer.sessionId, ctx.viewer.userId);
    const { token, session } = await this.deps.sessions.create(user._id.toHexString(), user.roles);
    ctx.sessionChange = { kind: 'set', token };
    // The rest of this response is read by the user who just signed in.
    ctx.viewer = { userId: session.userId, roles: session.roles, sessionId: session.id };
    return token;
  }
}
