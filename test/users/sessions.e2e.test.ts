import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_HEADER, signIdentity } from '@stagelives/schema';
import { ADMIN_EMAIL, codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';

const ME = 'query { me { id email nickname roles } }';
const LOG_IN = 'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { sessionToken user { id email } } }';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

describe('accounts and sessions through the router', () => {
  it('should sign up, return a session token, and show the owner their email', async () => {
    const fan = await signUp(stack);
    expect(fan.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fan.user).toMatchObject({ email: fan.email, nickname: fan.nickname, roles: ['USER'] });
    const { me } = await ok(stack, ME, {}, { token: fan.token });
    expect(me).toMatchObject({ id: fan.user.id, email: fan.email });
  });

  it('should refuse a second account with the same email in another case, or the same nickname', async () => {
    const fan = await signUp(stack);
    const sameEmail = await gql(stack, 'mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken } }', {
      input: { email: fan.email.toUpperCase(), nickname: `other${fan.nickname}`, password: 'long enough password' },
    });
    expect(codeOf(sameEmail)).toBe('CONFLICT');
    const sameNick = await gql(stack, 'mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken } }', {
      input: { email: `x${fan.email}`, nickname: fan.nickname.toUpperCase(), password: 'long enough password' },
    });
    expect(codeOf(sameNick)).toBe('CONFLICT');
  });

  it('should refuse bad sign-up input with BAD_USER_INPUT naming the field', async () => {
    const res = await gql(stack, 'mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken } }', {
      input: { email: 'not-an-email', nickname: 'someone', password: 'long enough password' },
    });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.field).toBe('input.email');
    const short = await gql(stack, 'mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken } }', {
      input: { email: 'short@example.com', nickname: 'someone2', password: 'short' },
    });
    expect(short.errors?.[0]?.extensions?.field).toBe('input.password');
  });

  it('should log in with a bearer token and with an HttpOnly SameSite=Lax cookie, a new session each time', async () => {
    const fan = await signUp(stack);
    const first = await gql<{ logIn: { sessionToken: string } }>(stack, LOG_IN, { email: fan.email.toUpperCase(), password: fan.password });
    const second = await gql<{ logIn: { sessionToken: string } }>(stack, LOG_IN, { email: fan.email, password: fan.password });
    const t1 = first.data!.logIn.sessionToken;
    const t2 = second.data!.logIn.sessionToken;
    expect(new Set([fan.token, t1, t2]).size).toBe(3);

    const setCookie = second.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^sl_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    const cookie = setCookie.split(';')[0]!;
    expect((await ok(stack, ME, {}, { cookie })).me.id).toBe(fan.user.id);
    expect((await ok(stack, ME, {}, { token: t1 })).me.id).toBe(fan.user.id);
  });

  it('should refuse a wrong password with UNAUTHENTICATED and no session', async () => {
    const fan = await signUp(stack);
    const res = await gql(stack, LOG_IN, { email: fan.email, password: 'wrong password!' });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.headers.get('set-cookie')).toBeNull();
    const unknown = await gql(stack, LOG_IN, { email: 'nobody@example.com', password: 'whatever password' });
    expect(codeOf(unknown)).toBe('UNAUTHENTICATED');
    expect(unknown.errors?.[0]?.message).toBe(res.errors?.[0]?.message);
  });

  it('should end the session server-side on log-out and clear the cookie', async () => {
    const fan = await signUp(stack);
    const res = await gql(stack, 'mutation { logOut }', {}, { token: fan.token });
    expect(res.data).toEqual({ logOut: true });
    expect(res.headers.get('set-cookie')).toMatch(/sl_session=;.*Max-Age=0/i);
    expect((await ok(stack, ME, {}, { token: fan.token })).me).toBeNull();
  });

  it('should end the session a request carried when it logs in again (no fixation)', async () => {
    const fan = await signUp(stack);
    await ok(stack, LOG_IN, { email: fan.email, password: fan.password }, { token: fan.token });
    expect((await ok(stack, ME, {}, { token: fan.token })).me).toBeNull();
  });

  it('should show email only to its owner and to admins, and make ADMIN_EMAILS admins', async () => {
    const fan = await signUp(stack);
    const other = await signUp(stack);
    const admin = await signUpAdmin(stack);
    expect(admin.user.roles).toEqual(['USER', 'ADMIN']);
    expect(admin.user.email).toBe(ADMIN_EMAIL);
    const q = 'query($id: ID!) { user(id: $id) { id nickname email } }';
    expect((await ok(stack, q, { id: fan.user.id })).user).toEqual({ id: fan.user.id, nickname: fan.nickname, email: null });
    expect((await ok(stack, q, { id: fan.user.id }, { token: other.token })).user.email).toBeNull();
    expect((await ok(stack, q, { id: fan.user.id }, { token: fan.token })).user.email).toBe(fan.email);
    expect((await ok(stack, q, { id: fan.user.id }, { token: admin.token })).user.email).toBe(fan.email);
    expect((await ok(stack, q, { id: 'ffffffffffffffffffffffff' })).user).toBeNull();
  });
});

describe('request ids and health', () => {
  it('should carry the request id through and echo it back', async () => {
    const res = await gql(stack, '{ concerts(first: 1) { totalCount } }', {}, { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
    const generated = await gql(stack, '{ concerts(first: 1) { totalCount } }', {}, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("should report liveness and readiness of the router (its own Redis and supergraph), each subgraph's breaker apart", async () => {
    expect(await (await fetch(`${stack.baseUrl}/health/live`)).json()).toEqual({ status: 'live' });
    const ready = await fetch(`${stack.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, string> };
    // Subgraphs are not part of readiness (one down must not empty the Service): /health/subgraphs.
    expect(body.checks).toEqual({ redis: 'ok', supergraph: 'ok' });
    const subgraphs = (await (await fetch(`${stack.baseUrl}/health/subgraphs`)).json()) as { status: string; subgraphs: Record<string, { state: string }> };
    expect(subgraphs.status).toBe('ok');
    expect(Object.keys(subgraphs.subgraphs).sort()).toEqual(Object.keys(stack.subgraphUrls).sort());
    expect(Object.values(subgraphs.subgraphs).every((s) => s.state === 'closed')).toBe(true);
    const sub = await fetch(new URL('/health/ready', stack.subgraphUrls.users));
    expect(await sub.json()).toEqual({ status: 'ready', checks: { mongodb: 'ok', redis: 'ok' } });
    expect((await fetch(`${stack.baseUrl}/health`)).status).toBe(200);
  });
});

describe('identity between router and subgraphs', () => {
  const CREATE = 'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id title } }';
  const input = { title: 'Forged', artist: 'Nobody', venue: 'Nowhere', startsAt: '2030-01-01T10:00:00Z' };

  it('should ignore an identity header a client sends to the router, forged or replayed', async () => {
    const admin = await signUpAdmin(stack, 'ops@stagelives.test');
    const forged = signIdentity({ userId: admin.user.id, roles: ['USER', 'ADMIN'], sessionId: 'x' }, { secret: 'guess'.repeat(8), requestId: 'abcdefgh1' });
    const res1 = await gql(stack, CREATE, { input }, { headers: { [IDENTITY_HEADER]: forged, 'x-request-id': 'abcdefgh1' } });
    expect(codeOf(res1)).toBe('UNAUTHENTICATED');
    // A correctly signed header, as a subgraph would see it, replayed by a client: still nobody.
    const replayed = signIdentity(
      { userId: admin.user.id, roles: ['USER', 'ADMIN'], sessionId: 'x' },
      { secret: stack.identitySecret, requestId: 'abcdefgh2' },
    );
    const res2 = await gql(stack, CREATE, { input }, { headers: { [IDENTITY_HEADER]: replayed, 'x-request-id': 'abcdefgh2' } });
    expect(codeOf(res2)).toBe('UNAUTHENTICATED');
    expect((await ok(stack, ME, {}, { headers: { [IDENTITY_HEADER]: replayed, 'x-request-id': 'abcdefgh2' } })).me).toBeNull();
  });

  it('should make a subgraph reject forged, expired or other-request identities', async () => {
    const admin = await signUpAdmin(stack, 'ops@stagelives.test').catch(async () => {
      const login = await ok(stack, LOG_IN, { email: 'ops@stagelives.test', password: 'correct horse battery staple' });
      return { user: login.logIn.user as { id: string } };
    });
    const identity = { userId: admin.user.id, roles: ['USER', 'ADMIN'] as const, sessionId: 's' };
    const direct = (header: string, requestId: string) =>
      gql({ url: stack.subgraphUrls.concerts! }, CREATE, { input }, { headers: { [IDENTITY_HEADER]: header, 'x-request-id': requestId } });
    const good = signIdentity({ ...identity, roles: [...identity.roles] }, { secret: stack.identitySecret, requestId: 'request-1' });
    const [body, sig] = good.split('.') as [string, string];
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    expect(codeOf(await direct(`${body}.${flip(sig[0]!)}${sig.slice(1)}`, 'request-1'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await direct(`${flip(body[0]!)}${body.slice(1)}.${sig}`, 'request-1'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await direct(`${body}.${sig.slice(0, -1)}${flip(sig.at(-1)!)}`, 'request-1'))).toBe('UNAUTHENTICATED');
    expect(
      codeOf(await direct(signIdentity({ ...identity, roles: [...identity.roles] }, { secret: 'x'.repeat(40), requestId: 'request-1' }), 'request-1')),
    ).toBe('UNAUTHENTICATED');
    expect(codeOf(await direct(good, 'request-2'))).toBe('UNAUTHENTICATED');
    const expired = signIdentity(
      { ...identity, roles: [...identity.roles] },
      { secret: stack.identitySecret, requestId: 'request-3', now: Date.now() - 120_000 },
    );
    expect(codeOf(await direct(expired, 'request-3'))).toBe('UNAUTHENTICATED');
    const accepted = await direct(good, 'request-1');
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data).toMatchObject({ createConcert: { title: 'Forged' } });
  });
});
