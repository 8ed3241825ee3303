import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsStream, decodeAuditEvent, type AuditEntryPayload } from '@stagelives/schema';
import { loadContract } from '@stagelives/schema/tooling';
import { codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { eventually, rawSocket } from '../support/live.js';

const contract = loadContract().filter((op) => op.file === 'moderation.graphql');
const source = (name: string) => {
  const found = contract.find((op) => op.name === name);
  if (!found) throw new Error(`contract operation ${name} not found`);
  return found.source;
};
const SUSPEND = source('SuspendUser');
const UNSUSPEND = source('UnsuspendUser');
const GRANT = source('GrantRole');
const LOG_IN = 'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { sessionToken user { id } } }';
const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken } }';
const SUSPENSION_OF = 'query($id: ID!) { user(id: $id) { id suspension { reason until createdAt } } }';

interface SuspensionView {
  reason: string;
  until: string | null;
  createdAt: string;
}

let stack: Stack;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
let moderator: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  stack = await startStack();
  admin = await signUpAdmin(stack);
  moderator = await signUp(stack);
  await ok(stack, GRANT, { userId: moderator.user.id, role: 'MODERATOR' }, { token: admin.token });
});
afterAll(() => stack?.close());

const suspend = (userId: string, token: string, until: string | null = null, reason = 'posts the same link in every room') =>
  gql<{ suspendUser: { id: string; suspension: SuspensionView | null } }>(stack, SUSPEND, { userId, reason, until }, { token });
const unsuspend = (userId: string, token: string) =>
  gql<{ unsuspendUser: { id: string; suspension: SuspensionView | null } }>(stack, UNSUSPEND, { userId }, { token });
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function auditEntries(targetId: string): Promise<AuditEntryPayload[]> {
  const entries = await stack.redis.xrange(auditEventsStream(`${stack.prefix}:`), '-', '+');
  return entries.flatMap(([, fields]) => {
    const event = decodeAuditEvent(fields);
    return event && event.payload.targetId === targetId ? [event.payload] : [];
  });
}

async function restLogIn(email: string, password: string) {
  const res = await fetch(`${stack.baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, json: (await res.json()) as { data?: unknown; error?: { code: string; until?: string | null } } };
}

/** A signed-in graphql-ws socket (acknowledged), to watch how it closes. */
async function openSocket(token: string) {
  const socket = rawSocket(stack.wsUrl, { headers: { authorization: `Bearer ${token}` } });
  await socket.opened;
  socket.send({ type: 'connection_init' });
  await socket.waitMessage((m) => m.type === 'connection_ack');
  return socket;
}

describe('suspendUser', () => {
  it('should end the sessions within a second, close the open socket, and refuse sign-in and sign-up until unsuspended', async () => {
    const fan = await signUp(stack);
    const socket = await openSocket(fan.token);
    const until = inAnHour();

    const started = Date.now();
    const res = await suspend(fan.user.id, moderator.token, until);
    expect(res.errors).toBeUndefined();
    expect(res.data?.suspendUser).toEqual({
      id: fan.user.id,
      suspension: { reason: 'posts the same link in every room', until, createdAt: expect.any(String) },
    });

    // HTTP: the same token is signed out at once.
    await eventually(async () => (await ok(stack, 'query { me { id } }', {}, { token: fan.token })).me === null, 1_000, 'the session to end');
    expect(codeOf(await gql(stack, 'mutation { updateProfile(input: { nickname: "stillhere" }) { id } }', {}, { token: fan.token }))).toBe('UNAUTHENTICATED');
    // The socket is closed by the server, well before the periodic session check (30 s).
    const closed = await socket.closed;
    expect(closed.code).toBe(4403);
    expect(Date.now() - started).toBeLessThan(1_500);

    // Sign-in (GraphQL and REST) and sign-up with that email are refused, saying until when.
    const logIn = await gql(stack, LOG_IN, { email: fan.email, password: fan.password });
    expect(logIn.errors?.[0]?.extensions).toMatchObject({ code: 'ACCOUNT_SUSPENDED', until });
    const rest = await restLogIn(fan.email, fan.password);
    expect(rest.status).toBe(403);
    expect(rest.json.error).toMatchObject({ code: 'ACCOUNT_SUSPENDED', until });
    const signUpAgain = await gql(stack, SIGN_UP, {
      input: { email: fan.email.toUpperCase(), nickname: `again${Date.now() % 100000}`, password: 'another long password' },
    });
    expect(signUpAgain.errors?.[0]?.extensions).toMatchObject({ code: 'ACCOUNT_SUSPENDED', until });
    // A wrong password learns nothing about the suspension.
    expect(codeOf(await gql(stack, LOG_IN, { email: fan.email, password: 'not the password at all' }))).toBe('UNAUTHENTICATED');

    // Lifted: the user signs in again.
    const lifted = await unsuspend(fan.user.id, moderator.token);
    expect(lifted.data?.unsuspendUser).toEqual({ id: fan.user.id, suspension: null });
    const back = await ok<{ logIn: { sessionToken: string } }>(stack, LOG_IN, { email: fan.email, password: fan.password });
    expect((await ok(stack, 'query { me { id } }', {}, { token: back.logIn.sessionToken })).me.id).toBe(fan.user.id);

    expect((await auditEntries(fan.user.id)).map((e) => [e.action, e.actorId, e.targetType, e.reason])).toEqual([
      ['USER_SUSPENDED', moderator.user.id, 'USER', 'posts the same link in every room'],
      ['USER_UNSUSPENDED', moderator.user.id, 'USER', null],
    ]);
  });

  it('should suspend indefinitely with until null, and refuse an until in the past', async () => {
    const fan = await signUp(stack);
    expect(codeOf(await suspend(fan.user.id, admin.token, new Date(Date.now() - 60_000).toISOString()))).toBe('BAD_USER_INPUT');
    expect((await gql(stack, 'query { me { id } }', {}, { token: fan.token })).data?.me).toEqual({ id: fan.user.id });

    const res = await suspend(fan.user.id, admin.token, null);
    expect(res.data?.suspendUser.suspension).toMatchObject({ until: null });
    expect((await gql(stack, LOG_IN, { email: fan.email, password: fan.password })).errors?.[0]?.extensions).toMatchObject({
      code: 'ACCOUNT_SUSPENDED',
      until: null,
    });
    await unsuspend(fan.user.id, admin.token);
  });

  it('should stop blocking once the suspension has expired', async () => {
    const fan = await signUp(stack);
    await ok(stack, SUSPEND, { userId: fan.user.id, reason: 'cool down', until: new Date(Date.now() + 1_200).toISOString() }, { token: moderator.token });
    expect(codeOf(await gql(stack, LOG_IN, { email: fan.email, password: fan.password }))).toBe('ACCOUNT_SUSPENDED');
    await eventually(async () => !(await gql(stack, LOG_IN, { email: fan.email, password: fan.password })).errors, 5_000, 'the suspension to expire');
    expect((await ok(stack, SUSPENSION_OF, { id: fan.user.id }, { token: moderator.token })).user.suspension).toBeNull();
  });

  it('should refuse a user suspending anyone, a moderator suspending staff, and anyone suspending themself', async () => {
    const [fan, other, secondModerator] = await Promise.all([signUp(stack), signUp(stack), signUp(stack)]);
    await ok(stack, GRANT, { userId: secondModerator.user.id, role: 'MODERATOR' }, { token: admin.token });

    expect(codeOf(await suspend(other.user.id, fan.token, inAnHour()))).toBe('FORBIDDEN');
    expect(codeOf(await unsuspend(other.user.id, fan.token))).toBe('FORBIDDEN');
    expect(codeOf(await suspend(admin.user.id, moderator.token))).toBe('FORBIDDEN');
    expect(codeOf(await suspend(secondModerator.user.id, moderator.token))).toBe('FORBIDDEN');
    expect(codeOf(await suspend(moderator.user.id, moderator.token))).toBe('FORBIDDEN');
    expect(codeOf(await suspend(admin.user.id, admin.token))).toBe('FORBIDDEN');
    expect(codeOf(await suspend('ffffffffffffffffffffffff', moderator.token))).toBe('NOT_FOUND');

    // Nobody was suspended: everyone still signed in.
    for (const who of [other, admin, moderator, secondModerator]) {
      expect((await ok(stack, 'query { me { id } }', {}, { token: who.token })).me).toEqual({ id: who.user.id });
    }
    expect(await auditEntries(other.user.id)).toEqual([]);
  });

  it('should show User.suspension to staff only: null to other users and to anonymous readers', async () => {
    const [fan, other] = await Promise.all([signUp(stack), signUp(stack)]);
    await ok(stack, SUSPEND, { userId: fan.user.id, reason: 'spam', until: inAnHour() }, { token: moderator.token });
    for (const token of [moderator.token, admin.token]) {
      expect((await ok(stack, SUSPENSION_OF, { id: fan.user.id }, { token })).user.suspension).toMatchObject({ reason: 'spam' });
    }
    expect((await ok(stack, SUSPENSION_OF, { id: fan.user.id }, { token: other.token })).user.suspension).toBeNull();
    expect((await ok(stack, SUSPENSION_OF, { id: fan.user.id })).user.suspension).toBeNull();
    // Not suspended: null for everyone, its owner included.
    expect((await ok(stack, 'query { me { suspension { reason } } }', {}, { token: other.token })).me.suspension).toBeNull();
    await unsuspend(fan.user.id, moderator.token);
  });
});
