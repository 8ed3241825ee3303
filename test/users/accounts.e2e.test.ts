import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, gql, ok, signUp, startStack, type Stack } from '../support/harness.js';
import { startOidcServer } from '../support/oidc-server.js';
import { createArticle } from '../articles/fixtures.js';

const ME = 'query { me { id email nickname avatarUrl notificationPreferences { ticketOpen concertStart ticketOpenLeadMinutes concertStartLeadMinutes } } }';
const LOG_IN = 'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { sessionToken } }';

let stack: Stack;
let oidc: Awaited<ReturnType<typeof startOidcServer>>;
beforeAll(async () => {
  oidc = await startOidcServer();
  stack = await startStack({ ...oidc.env, LOGIN_MAX_FAILURES: '5', LOGIN_LOCK_SECONDS: '1800' });
});
afterAll(async () => {
  await stack?.close();
  await oidc?.close();
});

describe('profile and password', () => {
  it('should update nickname and avatar, refuse taken nicknames and bad URLs', async () => {
    const fan = await signUp(stack);
    const other = await signUp(stack);
    const q = 'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id nickname avatarUrl } }';
    const updated = await ok(stack, q, { input: { nickname: `${fan.nickname}x`, avatarUrl: 'https://cdn.example.com/a.png' } }, { token: fan.token });
    expect(updated.updateProfile).toEqual({ id: fan.user.id, nickname: `${fan.nickname}x`, avatarUrl: 'https://cdn.example.com/a.png' });
    expect(codeOf(await gql(stack, q, { input: { nickname: other.nickname.toUpperCase() } }, { token: fan.token }))).toBe('CONFLICT');
    const bad = await gql(stack, q, { input: { avatarUrl: 'javascript:alert(1)' } }, { token: fan.token });
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.field).toBe('input.avatarUrl');
    expect(codeOf(await gql(stack, q, { input: { nickname: 'anon' } }))).toBe('UNAUTHENTICATED');
  });

  it('should change the password and end every other session of the account', async () => {
    const fan = await signUp(stack);
    const phone = (await ok(stack, LOG_IN, { email: fan.email, password: fan.password })).logIn.sessionToken;
    const q = 'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
    const wrong = await gql(stack, q, { c: 'not my password', n: 'a brand new passphrase' }, { token: fan.token });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    expect((await ok(stack, q, { c: fan.password, n: 'a brand new passphrase' }, { token: fan.token })).changePassword).toBe(true);
    expect((await ok(stack, ME, {}, { token: fan.token })).me.id).toBe(fan.user.id);
    expect((await ok(stack, ME, {}, { token: phone })).me).toBeNull();
    expect(codeOf(await gql(stack, LOG_IN, { email: fan.email, password: fan.password }))).toBe('UNAUTHENTICATED');
    expect((await ok(stack, LOG_IN, { email: fan.email, password: 'a brand new passphrase' })).logIn.sessionToken).toBeTruthy();
  });
});

describe('devices and notification preferences', () => {
  it('should keep a device token with one user at a time', async () => {
    const a = await signUp(stack);
    const b = await signUp(stack);
    const reg = 'mutation($t: String!, $p: DevicePlatform!) { registerDevice(token: $t, platform: $p) }';
    const token = `fcm-${a.user.id}`;
    await ok(stack, reg, { t: token, p: 'ANDROID' }, { token: a.token });
    const devices = stack.mongo.db('notifications').collection('device_tokens');
    expect(await devices.findOne({ _id: token as never })).toMatchObject({ userId: a.user.id, platform: 'ANDROID' });
    await ok(stack, reg, { t: token, p: 'IOS' }, { token: b.token });
    expect(await devices.countDocuments({ _id: token as never })).toBe(1);
    expect(await devices.findOne({ _id: token as never })).toMatchObject({ userId: b.user.id, platform: 'IOS' });
    // A cannot remove B's token.
    await ok(stack, 'mutation($t: String!) { unregisterDevice(token: $t) }', { t: token }, { token: a.token });
    expect(await devices.countDocuments({ _id: token as never })).toBe(1);
    await ok(stack, 'mutation($t: String!) { unregisterDevice(token: $t) }', { t: token }, { token: b.token });
    expect(await devices.countDocuments({ _id: token as never })).toBe(0);
    expect(codeOf(await gql(stack, reg, { t: 'has spaces in it', p: 'WEB' }, { token: a.token }))).toBe('BAD_USER_INPUT');
  });

  it('should default, update and validate notification preferences, visible only to their owner', async () => {
    const fan = await signUp(stack);
    expect((await ok(stack, ME, {}, { token: fan.token })).me.notificationPreferences).toEqual({
      ticketOpen: true,
      concertStart: true,
      ticketOpenLeadMinutes: 60,
      concertStartLeadMinutes: 120,
    });
    const q =
      'mutation($input: NotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { ticketOpen concertStart ticketOpenLeadMinutes concertStartLeadMinutes } }';
    const res = await ok(stack, q, { input: { ticketOpen: false, concertStartLeadMinutes: 30 } }, { token: fan.token });
    expect(res.updateNotificationPreferences).toEqual({ ticketOpen: false, concertStart: true, ticketOpenLeadMinutes: 60, concertStartLeadMinutes: 30 });
    expect((await ok(stack, ME, {}, { token: fan.token })).me.notificationPreferences.ticketOpen).toBe(false);
    expect(codeOf(await gql(stack, q, { input: { ticketOpenLeadMinutes: 0 } }, { token: fan.token }))).toBe('BAD_USER_INPUT');
    const other = await signUp(stack);
    const seen = await ok(stack, 'query($id: ID!) { user(id: $id) { notificationPreferences { ticketOpen } } }', { id: fan.user.id }, { token: other.token });
    expect(seen.user.notificationPreferences).toBeNull();
  });
});

describe('account deletion', () => {
  it('should delete sessions, devices and personal data and leave a "deleted user"', async () => {
    const fan = await signUp(stack);
    const other = (await ok(stack, LOG_IN, { email: fan.email, password: fan.password })).logIn.sessionToken;
    await ok(stack, 'mutation { registerDevice(token: "fcm-del-1", platform: WEB) }', {}, { token: fan.token });
    const noPassword = await gql(stack, 'mutation { deleteAccount }', {}, { token: fan.token });
    expect(noPassword.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    const res = await gql(stack, 'mutation($p: String) { deleteAccount(password: $p) }', { p: fan.password }, { token: fan.token });
    expect(res.data).toEqual({ deleteAccount: true });
    expect(res.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await ok(stack, ME, {}, { token: fan.token })).me).toBeNull();
    expect((await ok(stack, ME, {}, { token: other })).me).toBeNull();
    // The notifications subgraph forgets the devices on user.deleted.
    const devices = stack.mongo.db('notifications').collection('device_tokens');
    for (let i = 0; i < 100 && (await devices.countDocuments({ userId: fan.user.id })) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await devices.countDocuments({ userId: fan.user.id })).toBe(0);
    const profile = await ok(stack, 'query($id: ID!) { user(id: $id) { id nickname avatarUrl deleted } }', { id: fan.user.id });
    expect(profile.user).toEqual({ id: fan.user.id, nickname: 'deleted user', avatarUrl: null, deleted: true });
    const stored = await stack.mongo.db('users').collection('users').findOne({ nickname: fan.nickname });
    expect(stored).toBeNull();
    expect(codeOf(await gql(stack, LOG_IN, { email: fan.email, password: fan.password }))).toBe('UNAUTHENTICATED');
    // The email and nickname are free again.
    await signUp(stack, { email: fan.email, nickname: fan.nickname });
  });

  it('should keep the articles and comments of a deleted account, by a "deleted user"', async () => {
    const author = await signUp(stack);
    const reader = await signUp(stack);
    const article = await createArticle(stack, author.token, { title: 'Still here', body: 'Written before leaving.' });
    await ok(stack, 'mutation($a: ID!) { addComment(articleId: $a, body: "me too") { id } }', { a: article.id }, { token: author.token });
    await ok(stack, 'mutation($p: String) { deleteAccount(password: $p) }', { p: author.password }, { token: author.token });
    const { article: read } = await ok(
      stack,
      'query($id: ID!) { article(id: $id) { title author { id nickname avatarUrl } comments(first: 5) { edges { node { body author { id nickname } } } } } }',
      { id: article.id },
      { token: reader.token },
    );
    expect(read.title).toBe('Still here');
    expect(read.author).toEqual({ id: author.user.id, nickname: 'deleted user', avatarUrl: null });
    expect(read.comments.edges).toEqual([{ node: { body: 'me too', author: { id: author.user.id, nickname: 'deleted user' } } }]);
  });
});

describe('sign in with Google and Apple', () => {
  const GOOGLE = 'mutation($t: String!) { signInWithGoogle(idToken: $t) { sessionToken user { id email nickname } } }';
  const APPLE = 'mutation($t: String!, $n: String) { signInWithApple(identityToken: $t, nickname: $n) { sessionToken user { id email nickname } } }';

  it('should create an account from a valid Google token, then find it again by subject', async () => {
    const token = await oidc.googleToken({ sub: 'google-sub-1', email: 'g1@gmail.com', email_verified: true, name: 'Gee One' });
    const first = await ok(stack, GOOGLE, { t: token });
    expect(first.signInWithGoogle.user).toMatchObject({ email: 'g1@gmail.com', nickname: 'GeeOne' });
    expect((await ok(stack, ME, {}, { token: first.signInWithGoogle.sessionToken })).me.id).toBe(first.signInWithGoogle.user.id);
    const again = await ok(stack, GOOGLE, { t: await oidc.googleToken({ sub: 'google-sub-1', email: 'g1@gmail.com', email_verified: true }) });
    expect(again.signInWithGoogle.user.id).toBe(first.signInWithGoogle.user.id);
    expect(again.signInWithGoogle.sessionToken).not.toBe(first.signInWithGoogle.sessionToken);
  });

  it('should link a verified Google email to the existing password account', async () => {
    const fan = await signUp(stack);
    const res = await ok(stack, GOOGLE, { t: await oidc.googleToken({ sub: `sub-${fan.user.id}`, email: fan.email.toUpperCase(), email_verified: true }) });
    expect(res.signInWithGoogle.user.id).toBe(fan.user.id);
    const unverified = await gql(stack, GOOGLE, { t: await oidc.googleToken({ sub: `other-${fan.user.id}`, email: fan.email, email_verified: false }) });
    // Not linked: an unverified email cannot take over an account.
    expect(unverified.data?.signInWithGoogle?.user?.id ?? null).not.toBe(fan.user.id);
  });

  it('should refuse expired, wrong-audience, wrong-issuer and wrong-signature tokens', async () => {
    const claims = { sub: 'google-sub-2', email: 'g2@gmail.com', email_verified: true };
    const now = Math.floor(Date.now() / 1000);
    const expired = await oidc.googleToken(claims, { issuedAt: now - 7200, expiresIn: now - 3600 });
    const audience = await oidc.googleToken(claims, { audience: 'someone-else.apps.googleusercontent.com' });
    const issuer = await oidc.googleToken(claims, { issuer: 'https://evil.example.com' });
    const forged = await oidc.googleToken(claims, { key: 'rogue' });
    for (const [token, message] of [
      [expired, /expired/],
      [audience, /not valid/],
      [issuer, /not valid/],
      [forged, /not valid/],
      ['not.a.jwt', /not valid/],
    ] as const) {
      const res = await gql(stack, GOOGLE, { t: token });
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
      expect(res.errors?.[0]?.message).toMatch(message);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    expect(await stack.mongo.db('users').collection('users').countDocuments({ googleSub: 'google-sub-2' })).toBe(0);
  });

  it('should sign in with Apple with the nickname given, and refuse a Google token there', async () => {
    const token = await oidc.appleToken({ sub: 'apple-sub-1', email: 'relay1@privaterelay.appleid.com', email_verified: 'true' });
    const res = await ok(stack, APPLE, { t: token, n: 'applefan1' });
    expect(res.signInWithApple.user).toMatchObject({ nickname: 'applefan1', email: 'relay1@privaterelay.appleid.com' });
    const again = await ok(stack, APPLE, { t: await oidc.appleToken({ sub: 'apple-sub-1' }) });
    expect(again.signInWithApple.user.id).toBe(res.signInWithApple.user.id);
    const wrongProvider = await gql(stack, APPLE, { t: await oidc.googleToken({ sub: 'x' }) });
    expect(codeOf(wrongProvider)).toBe('UNAUTHENTICATED');
    const wrongAudience = await gql(stack, APPLE, { t: await oidc.appleToken({ sub: 'y' }, { audience: 'com.other.app' }) });
    expect(codeOf(wrongAudience)).toBe('UNAUTHENTICATED');
  });
});

describe('brute-force protection', () => {
  it('should lock an email for 30 minutes after 5 failures, even with the right password', async () => {
    const fan = await signUp(stack);
    for (let i = 0; i < 5; i += 1) expect(codeOf(await gql(stack, LOG_IN, { email: fan.email, password: `wrong ${i} password` }))).toBe('UNAUTHENTICATED');
    const locked = await gql(stack, LOG_IN, { email: fan.email, password: fan.password });
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    const retryAfter = locked.errors?.[0]?.extensions?.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(1790);
    expect(retryAfter).toBeLessThanOrEqual(1800);
    expect(locked.errors?.[0]?.message).toMatch(/Try again after \d{4}-\d\d-\d\dT/);
    // Another email is not affected.
    const other = await signUp(stack);
    expect((await ok(stack, LOG_IN, { email: other.email, password: other.password })).logIn.sessionToken).toBeTruthy();
  });

  it('should count aliased attempts, and never let aliases guess past the limit', async () => {
    const fan = await signUp(stack);
    // Mutation fields run one after another and logIn is non-null: the first wrong guess ends
    // the request, so the aliases after it (including the right password) never run.
    const guesses = [...Array.from({ length: 7 }, (_, i) => `wrong password ${i}`), fan.password];
    const fields = guesses.map((p, i) => `a${i}: logIn(email: $e, password: ${JSON.stringify(p)}) { sessionToken }`).join('\n');
    for (let round = 0; round < 5; round += 1) {
      const res = await gql(stack, `mutation($e: String!) { ${fields} }`, { e: fan.email });
      expect(res.data ?? null).toBeNull();
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    // Five requests, one counted attempt each: the email is now locked.
    expect(codeOf(await gql(stack, LOG_IN, { email: fan.email, password: fan.password }))).toBe('RATE_LIMITED');
    const locked = await gql(stack, `mutation($e: String!) { ${fields} }`, { e: fan.email });
    expect(codeOf(locked)).toBe('RATE_LIMITED');
  });

  it('should reset the count after a successful log-in', async () => {
    const fan = await signUp(stack);
    for (let i = 0; i < 4; i += 1) await gql(stack, LOG_IN, { email: fan.email, password: `wrong ${i} password` });
    await ok(stack, LOG_IN, { email: fan.email, password: fan.password });
    for (let i = 0; i < 4; i += 1) await gql(stack, LOG_IN, { email: fan.email, password: `wrong ${i} password` });
    expect((await ok(stack, LOG_IN, { email: fan.email, password: fan.password })).logIn.sessionToken).toBeTruthy();
  });
});
