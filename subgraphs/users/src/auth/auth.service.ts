import { randomInt } from 'node:crypto';
import { AccountSuspendedError, ConflictError, UnauthenticatedError, type Identity, type SessionChange } from '@stagelives/schema';
import type { Session, SessionStore } from '@stagelives/platform';
import type { AccountEmailService } from '../account-email/account-email.service.js';
import { localeFrom } from '../mail/messages.js';
import { cleanNewEmail, emailKey } from '../user/email.js';
import { cleanNickname, nicknameFrom, nicknameKey, numberedNickname } from '../user/nickname.js';
import { DuplicateKeyError, type Provider, type UserRepository } from '../user/user.repository.js';
import { Role, activeSuspension, type UserDocument } from '../user/user.type.js';
import type { SignUpInput } from './auth.type.js';
import type { BruteForceGuard } from './brute-force.js';
import type { OidcVerifier, VerifiedIdentity } from './oidc.js';
import { checkNewPassword, hashPassword, verifyPassword } from './password.js';
import { bootstrapRoles, rolesFor } from './roles.js';

export interface AuthServiceDeps {
  users: UserRepository;
  sessions: SessionStore;
  bruteForce: BruteForceGuard;
  adminEmails: readonly string[];
  google: OidcVerifier;
  apple: OidcVerifier;
  /** Mails a new account its verification link. */
  verification: Pick<AccountEmailService, 'sendVerification'>;
}

/** A sign-in: the new session, its token (the only time it exists in clear), and the cookie to set. */
export interface SignIn {
  token: string;
  user: UserDocument;
  session: Session;
  sessionChange: SessionChange;
}

/** Who a request is once it carries `session`. */
export function identityOf(session: Session): Identity {
  return { userId: session.userId, roles: session.roles, sessionId: session.id, emailVerified: session.emailVerified === true };
}

/** A suspended account cannot sign in or up: ACCOUNT_SUSPENDED with `until`. An expired suspension no longer blocks. */
function refuseSuspended(user: UserDocument): void {
  const suspension = activeSuspension(user);
  if (suspension) throw new AccountSuspendedError(suspension.until);
}

const sameRoles = (a: readonly Role[], b: readonly Role[]) => a.length === b.length && a.every((r) => b.includes(r));

/** Ends the session on the client (the router clears the cookie). */
const CLEAR_SESSION: SessionChange = Object.freeze({ kind: 'clear' });

/**
 * Sign-up, log-in (password, Google, Apple) and log-out: credentials in, sessions out.
 * `current` is the identity the request already carried (its session ends at every sign-in).
 */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  /** `acceptLanguage`: the request's, the language of the account's mail (Korean or English). */
  async signUp(input: SignUpInput, current: Identity | null, acceptLanguage?: string): Promise<SignIn> {
    const { email, emailLower } = cleanNewEmail(input.email, 'input.email');
    const nickname = cleanNickname(input.nickname, 'input.nickname');
    const password = checkNewPassword(input.password, 'input.password');
    await this.deps.bruteForce.ensureAvailable();
    // A suspended account's email cannot sign up again (it is taken anyway: this says why and until when).
    const existing = await this.deps.users.findByEmail(emailLower);
    if (existing) refuseSuspended(existing);
    const now = new Date();
    let user: UserDocument;
    try {
      user = await this.deps.users.insert({
        email,
        emailLower,
        nickname,
        nicknameLower: nicknameKey(nickname),
        passwordHash: await hashPassword(password),
        avatarUrl: null,
        roles: rolesFor(emailLower, this.deps.adminEmails),
        locale: localeFrom(acceptLanguage),
        emailVerified: false,
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
    await this.deps.verification.sendVerification(user);
    return this.startSession(user, current);
  }

  async logIn(emailInput: string, password: string, current: Identity | null): Promise<SignIn> {
    const emailLower = emailKey(emailInput);
    // Counted before the password is checked: parallel attempts cannot exceed the limit.
    await this.deps.bruteForce.begin(emailLower);
    const user = await this.deps.users.findByEmail(emailLower);
    const ok = await verifyPassword(user?.passwordHash ?? null, password);
    if (!user || !ok) {
      await this.deps.bruteForce.failed(emailLower);
      throw new UnauthenticatedError('Invalid email or password.');
    }
    await this.deps.bruteForce.succeeded(emailLower);
    // Only who knows the password learns that the account is suspended.
    refuseSuspended(user);
    return this.startSession(await this.withBootstrapRoles(user), current);
  }

  async signInWithProvider(
    provider: Provider,
    idToken: string,
    nicknameHint: string | null | undefined,
    current: Identity | null,
    acceptLanguage?: string,
  ): Promise<SignIn> {
    const verifier = provider === 'google' ? this.deps.google : this.deps.apple;
    const identity = await verifier.verify(idToken);
    const user = await this.findOrCreateForProvider(provider, identity, nicknameHint, localeFrom(acceptLanguage));
    refuseSuspended(user);
    return this.startSession(await this.withBootstrapRoles(user), current);
  }

  /** Ends the session the request carried, if any; the cookie is cleared either way. */
  async logOut(current: Identity | null): Promise<SessionChange> {
    if (current) await this.deps.sessions.delete(current.sessionId, current.userId);
    return CLEAR_SESSION;
  }

  /** Ends every session of a user but the one given (password change). */
  endOtherSessions(userId: string, keepSessionId: string): Promise<number> {
    return this.deps.sessions.deleteAllForUser(userId, keepSessionId);
  }

  /** Ends every session of a user (account deletion); the cookie is cleared. */
  async endAllSessions(userId: string): Promise<SessionChange> {
    await this.deps.sessions.deleteAllForUser(userId);
    return CLEAR_SESSION;
  }

  /** Gives every live session of a user these roles (a role change, without signing them out); open sockets follow at once. */
  async setSessionRoles(userId: string, roles: Role[]): Promise<void> {
    await this.deps.sessions.setRolesForUser(userId, roles);
  }

  /** Linking is by provider + subject; an existing account is linked by email only when the provider verified it. */
  private async findOrCreateForProvider(
    provider: Provider,
    identity: VerifiedIdentity,
    nicknameHint: string | null | undefined,
    locale: UserDocument['locale'],
  ): Promise<UserDocument> {
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
      const nickname = attempt === 0 ? wanted : numberedNickname(wanted, randomInt(1000, 999_999));
      try {
        return await this.deps.users.insert({
          email: identity.email,
          ...(emailLower && identity.emailVerified ? { emailLower } : {}),
          nickname,
          nicknameLower: nicknameKey(nickname),
          passwordHash: null,
          avatarUrl: null,
          roles: rolesFor(identity.emailVerified ? emailLower : undefined, this.deps.adminEmails),
          // The provider asserted the address: no link to follow.
          emailVerified: Boolean(emailLower && identity.emailVerified),
          locale,
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

  /**
   * An account listed in ADMIN_EMAILS becomes admin at sign-in only while the graph has no admin
   * (bootstrap); once one exists, roles change through grantRole/revokeRole alone, so a revoked
   * admin stays revoked (docs/users.md).
   */
  private async withBootstrapRoles(user: UserDocument): Promise<UserDocument> {
    if (!bootstrapRoles(user.roles, user.emailLower, this.deps.adminEmails, false)) return user;
    const anyAdmin = (await this.deps.users.countWithRole(Role.ADMIN, null)) > 0;
    const roles = bootstrapRoles(user.roles, user.emailLower, this.deps.adminEmails, anyAdmin);
    if (!roles) return user;
    return (await this.deps.users.setRoles(user._id, roles)) ?? { ...user, roles };
  }

  /**
   * A new session id at every sign-in; a session the request already carried ends (no fixation).
   * The account is read again once the session exists: a role change or a suspension that came
   * between the sign-in's read and the session's creation is not missed (the staff action updates
   * or ends the sessions it finds; this one may not have been there yet).
   */
  private async startSession(user: UserDocument, current: Identity | null): Promise<SignIn> {
    if (current) await this.deps.sessions.delete(current.sessionId, current.userId);
    const userId = user._id.toHexString();
    const created = await this.deps.sessions.create(userId, user.roles, { emailVerified: user.emailVerified === true });
    const { token } = created;
    let session = created.session;
    const now = (await this.deps.users.findById(user._id)) ?? user;
    if (activeSuspension(now)) {
      await this.deps.sessions.delete(session.id, userId);
      refuseSuspended(now);
    }
    if (!sameRoles(now.roles, user.roles)) {
      await this.deps.sessions.setRolesForUser(userId, now.roles);
      session = { ...session, roles: now.roles };
    }
    if ((now.emailVerified === true) !== session.emailVerified) {
      await this.deps.sessions.setEmailVerifiedForUser(userId, now.emailVerified === true);
      session = { ...session, emailVerified: now.emailVerified === true };
    }
    return { token, user: now, session, sessionChange: { kind: 'set', token } };
  }
}
