import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionStore } from '@stagelives/platform';
import { BadUserInputError, NotFoundError, cleanEmail, parseId, type Identity, type SessionChange } from '@stagelives/schema';
import type { BruteForceGuard } from '../auth/brute-force.js';
import { checkNewPassword, hashPassword } from '../auth/password.js';
import type { Mailer } from '../mail/mailer.js';
import { passwordChangedMail, passwordResetMail, verificationMail } from '../mail/messages.js';
import { emailKey } from '../user/email.js';
import type { UserRepository } from '../user/user.repository.js';
import type { UserDocument } from '../user/user.type.js';
import type { EmailRateLimit } from './email-limit.js';
import { hashEmailToken, issueEmailToken } from './email-token.js';

/** How long a password-reset link works. */
const PASSWORD_RESET_VALID_MINUTES = 30;
/** How long a verification link works. */
const EMAIL_VERIFICATION_VALID_HOURS = 48;

/** One answer for a used, expired or unknown link: which of the three it was is nobody's business. */
const INVALID_LINK = 'This link is invalid or has expired. Ask for a new one.';

/** Tokens are 43 base64url characters; anything far off is not looked up. */
const plausibleToken = (token: string) => token.length >= 16 && token.length <= 128;

export interface AccountEmailDeps {
  users: UserRepository;
  sessions: SessionStore;
  bruteForce: BruteForceGuard;
  mailer: Mailer;
  /** The clients' base URL the links point into (PUBLIC_URL, no trailing slash). */
  publicUrl: string;
  /** Password-reset requests per email address (PASSWORD_RESET_PER_EMAIL per PASSWORD_RESET_WINDOW_SECONDS). */
  resetLimit: EmailRateLimit;
  /** The least time a reset request takes (PASSWORD_RESET_MIN_MS). */
  resetMinMs: number;
}

/** A password reset: the sessions it ended include the request's own when it was the account's (the cookie is cleared). */
export interface PasswordReset {
  sessionChange: SessionChange | null;
}

/**
 * What the users domain does by mail: password reset (request, then use the link) and email
 * verification (a link at sign-up, on request again). Links carry a 256-bit random token; only its
 * sha256 is stored, on the account, one per purpose: a new one replaces (and so invalidates) the
 * last, and using one removes it, in the same atomic update that applies it.
 */
export class AccountEmailService {
  constructor(private readonly deps: AccountEmailDeps) {}

  private link(path: string, token: string): string {
    return `${this.deps.publicUrl}/${path}?token=${encodeURIComponent(token)}`;
  }

  /**
   * Emails a reset link when an account has this address, and answers true either way, in the
   * same time: the same reads, the same write (to an id that matches nothing when there is no
   * account), the mail sent in the background, and the whole padded to `resetMinMs`.
   */
  async requestPasswordReset(emailInput: string): Promise<true> {
    const started = performance.now();
    try {
      const emailLower = emailKey(cleanEmail(emailInput, 'email'));
      await this.deps.resetLimit.consume(emailLower);
      const user = await this.deps.users.findByEmail(emailLower);
      const { token, stored } = issueEmailToken(PASSWORD_RESET_VALID_MINUTES * 60_000);
      await this.deps.users.setPasswordReset(user?.email ? user._id : null, stored);
      if (user?.email) {
        this.deps.mailer.send(
          user.email,
          passwordResetMail(user.locale ?? 'en', user.nickname, this.link('reset-password', token), PASSWORD_RESET_VALID_MINUTES),
        );
      }
      return true;
    } finally {
      const left = this.deps.resetMinMs - (performance.now() - started);
      if (left > 0) await sleep(left);
    }
  }

  /**
   * Sets a new password with a reset link's token: the password rules apply; the link works once;
   * every session of the account ends, its log-in lock is lifted, and a notice is mailed.
   */
  async resetPassword(token: string, newPassword: string, current: Identity | null): Promise<PasswordReset> {
    const password = checkNewPassword(newPassword, 'newPassword');
    const passwordHash = await hashPassword(password);
    const user = plausibleToken(token) ? await this.deps.users.consumePasswordReset(hashEmailToken(token), passwordHash) : null;
    if (!user) throw new BadUserInputError(INVALID_LINK, 'token');
    const userId = user._id.toHexString();
    await this.deps.sessions.deleteAllForUser(userId);
    if (user.emailLower) await this.deps.bruteForce.succeeded(user.emailLower);
    if (user.email) this.deps.mailer.send(user.email, passwordChangedMail(user.locale ?? 'en', user.nickname, new Date()));
    return { sessionChange: current?.userId === userId ? { kind: 'clear' } : null };
  }

  /** Mails a new verification link to the account's address (any earlier link stops working). */
  async sendVerification(user: UserDocument): Promise<void> {
    if (!user.email) return;
    const { token, stored } = issueEmailToken(EMAIL_VERIFICATION_VALID_HOURS * 3_600_000);
    await this.deps.users.setEmailVerification(user._id, stored);
    this.deps.mailer.send(user.email, verificationMail(user.locale ?? 'en', user.nickname, this.link('verify-email', token)));
  }

  /** Verifies the address a link was sent to; the account's live sessions carry it at once. */
  async verifyEmail(token: string): Promise<UserDocument> {
    const user = plausibleToken(token) ? await this.deps.users.consumeEmailVerification(hashEmailToken(token)) : null;
    if (!user) throw new BadUserInputError(INVALID_LINK, 'token');
    await this.deps.sessions.setEmailVerifiedForUser(user._id.toHexString(), true);
    return user;
  }

  /** Sends the viewer a new verification link: true, or false when the address is verified already (nothing is sent). */
  async resendVerification(viewer: Identity): Promise<boolean> {
    const user = await this.deps.users.findById(parseId(viewer.userId, 'viewer'));
    if (!user || user.deletedAt) throw new NotFoundError('Account');
    if (user.emailVerified) return false;
    if (!user.email) throw new BadUserInputError('This account has no email address to verify.');
    await this.sendVerification(user);
    return true;
  }
}
