import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, gql, ok, signUp, startStack, type Stack } from '../support/harness.js';
import { startOidcServer } from '../support/oidc-server.js';

// What a sign-in does to the rest of its response, and sign-ins that meet a taken nickname.
const LOG_IN =
  'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { sessionToken user { id email roles notificationPreferences { ticketOpen } likedConcerts { totalCount } } } }';
const GOOGLE = 'mutation($t: String!) { signInWithGoogle(idToken: $t) { sessionToken user { id email nickname } } }';
const APPLE = 'mutation($t: String!, $n: String) { signInWithApple(identityToken: $t, nickname: $n) { sessionToken user { id nickname } } }';
const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken } }';

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

describe('the response of a sign-in', () => {
  it('should be read by the user who just signed in, not by the session the request carried', async () => {
    const before = await signUp(stack);
    const fan = await signUp(stack);
    const res = await ok(stack, LOG_IN, { email: fan.email, password: fan.password }, { token: before.token });
    // Fields other subgraphs answer in the same operation are the signed-in user's too (the router carries the new session).
    expect(res.logIn.user).toEqual({
      id: fan.user.id,
      email: fan.email,
      roles: ['USER'],
      notificationPreferences: { ticketOpen: true },
      likedConcerts: { totalCount: 0 },
    });
    expect((await ok(stack, 'query { me { id } }', {}, { token: res.logIn.sessionToken })).me.id).toBe(fan.user.id);
  });

  it('should show, and the new session carry, the ADMIN role ADMIN_EMAILS grants at this sign-in', async () => {
    const fan = await signUp(stack);
    const admin = await signUp(stack, { email: ADMIN_EMAIL });
    // As if the email was added to ADMIN_EMAILS after the account was made.
    await stack.mongo
      .db('users')
      .collection('users')
      .updateOne({ _id: new ObjectId(admin.user.id) }, { $set: { roles: ['USER'] } });
    const res = await ok(stack, LOG_IN, { email: ADMIN_EMAIL, password: admin.password });
    expect(res.logIn.user.roles).toEqual(['USER', 'ADMIN']);
    const seen = await ok(stack, 'query($id: ID!) { user(id: $id) { email } }', { id: fan.user.id }, { token: res.logIn.sessionToken });
    expect(seen.user.email).toBe(fan.email);
  });
});

describe('sign-ins that meet a taken nickname', () => {
  it('should refuse a sign-up with a taken nickname naming the nickname, and a taken email naming the email', async () => {
    const fan = await signUp(stack);
    const nick = await gql(stack, SIGN_UP, { input: { email: `new-${fan.email}`, nickname: fan.nickname.toUpperCase(), password: 'long enough password' } });
    expect(nick.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.nickname' });
    expect(nick.errors?.[0]?.message).toBe('This nickname is taken.');
    const email = await gql(stack, SIGN_UP, { input: { email: fan.email, nickname: `new${fan.nickname}`, password: 'long enough password' } });
    expect(email.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.email' });
  });

  it('should number a nickname derived from a Google name when it is taken', async () => {
    await signUp(stack, { nickname: 'TakenName' });
    const token = await oidc.googleToken({ sub: 'google-taken-1', email: 'taken1@gmail.com', email_verified: true, name: 'Taken Name' });
    const res = await ok(stack, GOOGLE, { t: token });
    expect(res.signInWithGoogle.user.nickname).toMatch(/^TakenName\d{4,6}$/);
    expect(res.signInWithGoogle.user.email).toBe('taken1@gmail.com');
  });

  it('should refuse an Apple sign-in whose chosen nickname is taken, and create nothing', async () => {
    const fan = await signUp(stack);
    const res = await gql(stack, APPLE, { t: await oidc.appleToken({ sub: 'apple-taken-1' }), n: fan.nickname });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'nickname' });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await stack.mongo.db('users').collection('users').countDocuments({ appleSub: 'apple-taken-1' })).toBe(0);
  });
});
