import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, codeOf, gql, ok, signUp, startStack, type Stack } from '../support/harness.js';
import { lastMail, linkToken, mailsTo, waitForMails } from '../support/mail.js';

// The contract's operations (contract/users.graphql), verbatim.
const REQUEST_PASSWORD_RESET = `mutation RequestPasswordReset($email: String!) {
  requestPasswordReset(email: $email)
}`;
const RESET_PASSWORD = `mutation ResetPassword($token: String!, $newPassword: String!) {
  resetPassword(token: $token, newPassword: $newPassword)
}`;
const LOG_IN = 'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { sessionToken } }';
const ME = 'query { me { id } }';

const RESET_SUBJECT = /Reset your password/;
const INVALID_LINK = 'This link is invalid or has expired. Ask for a new one.';
/** Calls of each kind in the timing test; RESET_TIMING_CALLS=50 for the measurement in docs/users.md. */
const TIMING_CALLS = Number(process.env.RESET_TIMING_CALLS ?? 8);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ LOGIN_MAX_FAILURES: '3' });
});
afterAll(() => stack?.close());

const missingEmail = () => `nobody-${randomBytes(5).toString('hex')}@example.com`;
const requestReset = (email: string, headers: Record<string, string> = {}) => gql(stack, REQUEST_PASSWORD_RESET, { email }, { headers });

async function resetLink(email: string, count = 1): Promise<string> {
  const mail = await lastMail(email, RESET_SUBJECT, count);
  return linkToken(mail, 'reset-password');
}

describe('requestPasswordReset', () => {
  it('should email a link into PUBLIC_URL, with a plain-text and an HTML part, valid for 30 minutes', async () => {
    const fan = await signUp(stack);
    const before = Date.now();
    expect((await ok(stack, REQUEST_PASSWORD_RESET, { email: fan.email.toUpperCase() })).requestPasswordReset).toBe(true);
    const mail = await lastMail(fan.email, RESET_SUBJECT);
    expect(mail.from).toBe('no-reply@stagelives.test');
    const token = linkToken(mail, 'reset-password');
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(mail.text).toContain(`${PUBLIC_URL}/reset-password?token=${token}`);
    expect(mail.text).toContain('30 minutes');
    expect(mail.html).toContain(`href="${PUBLIC_URL}/reset-password?token=${token}"`);
    // Only the hash is stored, expiring 30 minutes after the request.
    const stored = await stack.mongo.db('users').collection('users').findOne({ emailLower: fan.email.toLowerCase() });
    expect(stored?.passwordReset.tokenHash).not.toContain(token);
    expect(JSON.stringify(stored)).not.toContain(token);
    const expiresIn = stored!.passwordReset.expiresAt.getTime() - before;
    expect(expiresIn).toBeGreaterThan(29 * 60_000);
    expect(expiresIn).toBeLessThan(31 * 60_000);
  });

  it('should answer true for an address no account has, and send nothing there', async () => {
    const fan = await signUp(stack);
    const nobody = missingEmail();
    expect((await requestReset(nobody)).data?.requestPasswordReset).toBe(true);
    expect((await requestReset(fan.email)).data?.requestPasswordReset).toBe(true);
    await lastMail(fan.email, RESET_SUBJECT);
    expect(await mailsTo(nobody)).toEqual([]);
  });

  it('should limit requests per email address (existing or not) and per client IP', async () => {
    const fan = await signUp(stack);
    for (const email of [fan.email, missingEmail()]) {
      for (let i = 0; i < 3; i += 1) expect((await requestReset(email)).data?.requestPasswordReset).toBe(true);
      const refused = await requestReset(email);
      expect(codeOf(refused)).toBe('RATE_LIMITED');
      expect(refused.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    }
    await waitForMails(fan.email, RESET_SUBJECT, 3);
    // Per IP: the router's sign-in bucket counts these too (a router that believes X-Forwarded-For, limit 2).
    const strict = await stack.extraRouter({ RATE_LIMIT_AUTH: '2', TRUST_PROXY: 'true' });
    try {
      const ip = { 'x-forwarded-for': `203.0.113.${Math.floor(Math.random() * 200) + 1}` };
      const viaStrict = (email: string) => gql(strict, REQUEST_PASSWORD_RESET, { email }, { headers: ip });
      expect((await viaStrict(missingEmail())).data?.requestPasswordReset).toBe(true);
      expect((await viaStrict(missingEmail())).data?.requestPasswordReset).toBe(true);
      const refused = await viaStrict(missingEmail());
      expect({ code: codeOf(refused), status: refused.status }).toEqual({ code: 'RATE_LIMITED', status: 429 });
    } finally {
      await strict.close();
    }
  });

  it(`should take the same time whether or not the account exists (${TIMING_CALLS} calls each)`, async () => {
    // A few accounts, so the per-email limit (3 per window) never answers instead.
    const accounts = await Promise.all(Array.from({ length: Math.ceil(TIMING_CALLS / 3) }, () => signUp(stack)));
    const times = { existing: [] as number[], missing: [] as number[] };
    const timed = async (email: string) => {
      const started = performance.now();
      const res = await requestReset(email);
      const ms = performance.now() - started;
      expect(res.data?.requestPasswordReset).toBe(true);
      return ms;
    };
    await timed(missingEmail()); // warm-up
    for (let i = 0; i < TIMING_CALLS; i += 1) {
      times.existing.push(await timed(accounts[i % accounts.length]!.email));
      times.missing.push(await timed(missingEmail()));
    }
    const stats = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
      return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, p50: at(0.5), p95: at(0.95) };
    };
    const existing = stats(times.existing);
    const missing = stats(times.missing);
    const fmt = (s: ReturnType<typeof stats>) => `mean ${s.mean.toFixed(1)} ms, p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms`;
    console.info(`requestPasswordReset over ${TIMING_CALLS} calls each: existing ${fmt(existing)}; missing ${fmt(missing)}`);
    // Both are held to the floor (PASSWORD_RESET_MIN_MS, 250 ms), and their medians stay within a few ms of each other.
    expect(existing.p50).toBeGreaterThanOrEqual(250);
    expect(missing.p50).toBeGreaterThanOrEqual(250);
    expect(Math.abs(existing.p50 - missing.p50)).toBeLessThan(25);
  });
});

describe('resetPassword', () => {
  it('should set the new password once, end every session, lift the log-in lock and mail a notice', async () => {
    const fan = await signUp(stack);
    const second = (await ok(stack, LOG_IN, { email: fan.email, password: fan.password })).logIn.sessionToken as string;
    // Locked out: 3 failures, then even the right password is refused.
    for (let i = 0; i < 3; i += 1) expect(codeOf(await gql(stack, LOG_IN, { email: fan.email, password: 'wrong password!' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(stack, LOG_IN, { email: fan.email, password: fan.password }))).toBe('RATE_LIMITED');

    await ok(stack, REQUEST_PASSWORD_RESET, { email: fan.email });
    const token = await resetLink(fan.email);
    // The password rules apply (and the link still works after a refused password).
    const short = await gql(stack, RESET_PASSWORD, { token, newPassword: 'short' });
    expect({ code: codeOf(short), field: short.errors?.[0]?.extensions?.field }).toEqual({ code: 'BAD_USER_INPUT', field: 'newPassword' });

    const newPassword = 'a brand new passphrase';
    expect((await ok(stack, RESET_PASSWORD, { token, newPassword })).resetPassword).toBe(true);
    // Every session ended.
    for (const session of [fan.token, second]) expect((await ok(stack, ME, {}, { token: session })).me).toBeNull();
    // The lock is lifted: the new password signs in at once; the old one no longer does.
    expect(codeOf(await gql(stack, LOG_IN, { email: fan.email, password: fan.password }))).toBe('UNAUTHENTICATED');
    const signedIn = await ok(stack, LOG_IN, { email: fan.email, password: newPassword });
    expect((await ok(stack, ME, {}, { token: signedIn.logIn.sessionToken })).me.id).toBe(fan.user.id);
    // Single use.
    const again = await gql(stack, RESET_PASSWORD, { token, newPassword: 'yet another passphrase' });
    expect({ code: codeOf(again), message: again.errors?.[0]?.message }).toEqual({ code: 'BAD_USER_INPUT', message: INVALID_LINK });
    // The notice.
    const notice = await lastMail(fan.email, /Your password was changed/);
    expect(notice.text).toMatch(/every device was signed out/);
    expect(notice.html).toContain('every device was signed out');
  });

  it('should refuse the previous link once a new one was asked for', async () => {
    const fan = await signUp(stack);
    await ok(stack, REQUEST_PASSWORD_RESET, { email: fan.email });
    const first = await resetLink(fan.email, 1);
    await ok(stack, REQUEST_PASSWORD_RESET, { email: fan.email });
    const second = await resetLink(fan.email, 2);
    expect(second).not.toBe(first);
    const old = await gql(stack, RESET_PASSWORD, { token: first, newPassword: 'a brand new passphrase' });
    expect({ code: codeOf(old), message: old.errors?.[0]?.message }).toEqual({ code: 'BAD_USER_INPUT', message: INVALID_LINK });
    expect((await ok(stack, RESET_PASSWORD, { token: second, newPassword: 'a brand new passphrase' })).resetPassword).toBe(true);
  });

  it('should refuse an expired link and an unknown one with the same message', async () => {
    const fan = await signUp(stack);
    await ok(stack, REQUEST_PASSWORD_RESET, { email: fan.email });
    const token = await resetLink(fan.email);
    // 30 minutes pass: the stored expiry is moved into the past.
    await stack.mongo
      .db('users')
      .collection('users')
      .updateOne({ emailLower: fan.email.toLowerCase() }, { $set: { 'passwordReset.expiresAt': new Date(Date.now() - 1_000) } });
    for (const t of [token, randomBytes(32).toString('base64url'), 'x']) {
      const res = await gql(stack, RESET_PASSWORD, { token: t, newPassword: 'a brand new passphrase' });
      expect({ code: codeOf(res), message: res.errors?.[0]?.message, field: res.errors?.[0]?.extensions?.field }).toEqual({
        code: 'BAD_USER_INPUT',
        message: INVALID_LINK,
        field: 'token',
      });
    }
    // The old password still works.
    expect((await ok(stack, LOG_IN, { email: fan.email, password: fan.password })).logIn.sessionToken).toBeTruthy();
  });
});
