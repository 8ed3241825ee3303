import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, codeOf, gql, ok, signUp, startStack, type Stack } from '../support/harness.js';
import { lastMail, linkToken, waitForMails } from '../support/mail.js';
import { startOidcServer } from '../support/oidc-server.js';

// The contract's operations (contract/users.graphql), verbatim.
const VERIFY_EMAIL = `mutation VerifyEmail($token: String!) {
  verifyEmail(token: $token) { id emailVerified }
}`;
const RESEND = `mutation ResendVerificationEmail {
  resendVerificationEmail
}`;
const MY_ACCOUNT = `query MyAccount {
  me { id email emailVerified roles suspension { reason until } }
}`;
const REQUEST_PASSWORD_RESET = `mutation RequestPasswordReset($email: String!) {
  requestPasswordReset(email: $email)
}`;
const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken user { id email } } }';

const VERIFY_SUBJECT = /Verify your email address/;
const INVALID_LINK = 'This link is invalid or has expired. Ask for a new one.';

let stack: Stack;
let oidc: Awaited<ReturnType<typeof startOidcServer>>;
beforeAll(async () => {
  oidc = await startOidcServer();
  stack = await startStack(oidc.env);
});
afterAll(async () => {
  await stack?.close();
  await oidc?.close();
});

async function verificationToken(email: string, count = 1): Promise<string> {
  return linkToken(await lastMail(email, VERIFY_SUBJECT, count), 'verify-email');
}

describe('email verification', () => {
  it('should mail a link at sign-up that verifies the address once, for the live session too', async () => {
    const fan = await signUp(stack);
    expect((await ok(stack, MY_ACCOUNT, {}, { token: fan.token })).me).toEqual({
      id: fan.user.id,
      email: fan.email,
      emailVerified: false,
      roles: ['USER'],
      suspension: null,
    });
    const mail = await lastMail(fan.email, VERIFY_SUBJECT);
    const token = linkToken(mail, 'verify-email');
    expect(mail.text).toContain(`${PUBLIC_URL}/verify-email?token=${token}`);
    expect(mail.html).toContain(`href="${PUBLIC_URL}/verify-email?token=${token}"`);
    expect(mail.text).toContain(`Hi ${fan.nickname},`);

    // Opened in a browser without the session: whoever holds the link reads the answer.
    expect((await ok(stack, VERIFY_EMAIL, { token })).verifyEmail).toEqual({ id: fan.user.id, emailVerified: true });
    expect((await ok(stack, MY_ACCOUNT, {}, { token: fan.token })).me.emailVerified).toBe(true);
    // Others do not see it.
    const other = await signUp(stack);
    expect((await ok(stack, 'query($id: ID!) { user(id: $id) { emailVerified } }', { id: fan.user.id }, { token: other.token })).user).toEqual({
      emailVerified: null,
    });

    const again = await gql(stack, VERIFY_EMAIL, { token });
    expect({ code: codeOf(again), message: again.errors?.[0]?.message }).toEqual({ code: 'BAD_USER_INPUT', message: INVALID_LINK });
    expect(codeOf(await gql(stack, VERIFY_EMAIL, { token: randomBytes(32).toString('base64url') }))).toBe('BAD_USER_INPUT');
  });

  it('should send a new link on request (the old one stops working), false once verified, and limit the requests', async () => {
    const fan = await signUp(stack);
    const first = await verificationToken(fan.email, 1);
    expect((await ok(stack, RESEND, {}, { token: fan.token })).resendVerificationEmail).toBe(true);
    const second = await verificationToken(fan.email, 2);
    expect(second).not.toBe(first);
    expect(codeOf(await gql(stack, VERIFY_EMAIL, { token: first }))).toBe('BAD_USER_INPUT');
    expect((await ok(stack, VERIFY_EMAIL, { token: second })).verifyEmail.emailVerified).toBe(true);
    expect((await ok(stack, RESEND, {}, { token: fan.token })).resendVerificationEmail).toBe(false);
    expect(codeOf(await gql(stack, RESEND))).toBe('UNAUTHENTICATED');

    const eager = await signUp(stack);
    for (let i = 0; i < 3; i += 1) expect((await ok(stack, RESEND, {}, { token: eager.token })).resendVerificationEmail).toBe(true);
    expect(codeOf(await gql(stack, RESEND, {}, { token: eager.token }))).toBe('RATE_LIMITED');
    await waitForMails(eager.email, VERIFY_SUBJECT, 4);
  });

  it('should write to an account signed up with Accept-Language: ko in Korean, reset mail included', async () => {
    const tag = randomBytes(4).toString('hex');
    const email = `ko${tag}@example.com`;
    const signedUp = await ok(
      stack,
      SIGN_UP,
      { input: { email, password: 'correct horse battery staple', nickname: `팬${tag}` } },
      { headers: { 'accept-language': 'ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7' } },
    );
    expect(signedUp.signUp.user.email).toBe(email);
    const mail = await lastMail(email, /이메일 주소를 인증해 주세요/);
    expect(mail.text).toContain(`팬${tag}님, 안녕하세요.`);
    expect(mail.html).toContain('<html lang="ko">');
    expect(mail.html).toContain('이메일 인증하기');
    expect(mail.headers['content-language']).toEqual(['ko']);
    await ok(stack, REQUEST_PASSWORD_RESET, { email });
    const reset = await lastMail(email, /비밀번호 재설정/);
    expect(reset.text).toContain('30분 동안 한 번만 사용할 수 있습니다');
    expect(reset.text).toContain(`${PUBLIC_URL}/reset-password?token=`);
    // An English-first header gets English mail.
    const en = await signUp(stack);
    expect((await lastMail(en.email, VERIFY_SUBJECT)).headers['content-language']).toEqual(['en']);
  });

  it('should count an address a provider asserted as verified, with no mail', async () => {
    const email = `g${randomBytes(4).toString('hex')}@gmail.example`;
    const idToken = await oidc.googleToken({ sub: `g-${randomBytes(6).toString('hex')}`, email, email_verified: true, name: 'Gee Fan' });
    const signedIn = await ok(stack, 'mutation($t: String!) { signInWithGoogle(idToken: $t) { sessionToken } }', { t: idToken });
    const me = (await ok(stack, MY_ACCOUNT, {}, { token: signedIn.signInWithGoogle.sessionToken })).me;
    expect({ email: me.email, emailVerified: me.emailVerified }).toEqual({ email, emailVerified: true });
    expect((await ok(stack, RESEND, {}, { token: signedIn.signInWithGoogle.sessionToken })).resendVerificationEmail).toBe(false);
  });
});

/** A signed-up account that followed its verification link. */
async function verifiedFan(on: Stack) {
  const fan = await signUp(on);
  await ok(on, VERIFY_EMAIL, { token: await verificationToken(fan.email) });
  return fan;
}

/** What REQUIRE_VERIFIED_EMAIL guards: a chat message, an article, a comment, a report (in a room and on an article of a verified host). */
async function postEverything(on: Stack, token: string) {
  const host = await verifiedFan(on);
  const room = await ok(
    on,
    'mutation($input: CreateChatRoomInput!) { createChatRoom(input: $input) { id } }',
    { input: { name: 'queue line' } },
    { token: host.token },
  );
  const roomId = room.createChatRoom.id as string;
  await ok(on, 'mutation($roomId: ID!) { joinChatRoom(roomId: $roomId) { id } }', { roomId }, { token });
  const article = await ok(
    on,
    'mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }',
    { input: { title: 'host', body: 'b' } },
    { token: host.token },
  );
  const articleId = article.createArticle.id as string;
  return {
    sendMessage: await gql(
      on,
      'mutation($roomId: ID!, $body: String!) { sendMessage(roomId: $roomId, body: $body) { id } }',
      { roomId, body: 'hi' },
      { token },
    ),
    createArticle: await gql(
      on,
      'mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }',
      { input: { title: 'mine', body: 'b' } },
      { token },
    ),
    addComment: await gql(
      on,
      'mutation($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { id } }',
      { articleId, body: 'c' },
      { token },
    ),
    report: await gql(
      on,
      'mutation($input: ReportInput!) { report(input: $input) { id } }',
      { input: { targetType: 'ARTICLE', targetId: articleId, reason: 'SPAM' } },
      { token },
    ),
  };
}

describe('REQUIRE_VERIFIED_EMAIL', () => {
  it('should let unverified accounts post while off (the default)', async () => {
    const fan = await signUp(stack);
    const results = await postEverything(stack, fan.token);
    for (const [name, res] of Object.entries(results)) expect(res.errors, name).toBeUndefined();
  });

  it('should refuse unverified accounts with EMAIL_NOT_VERIFIED when on, until they verify (same session)', async () => {
    const strict = await startStack({ REQUIRE_VERIFIED_EMAIL: 'true' });
    try {
      const fan = await signUp(strict);
      const refused = await postEverything(strict, fan.token);
      for (const [name, res] of Object.entries(refused)) {
        expect({ name, code: codeOf(res), data: res.data?.[name] ?? null }).toEqual({ name, code: 'EMAIL_NOT_VERIFIED', data: null });
      }
      await ok(strict, VERIFY_EMAIL, { token: await verificationToken(fan.email) });
      const allowed = await postEverything(strict, fan.token);
      for (const [name, res] of Object.entries(allowed)) expect(res.errors, name).toBeUndefined();
    } finally {
      await strict.close();
    }
  });
});
