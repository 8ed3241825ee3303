import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsStream, decodeAuditEvent, encodeMessageCursor, type AuditEntryPayload } from '@stagelives/schema';
import { loadContract } from '@stagelives/schema/tooling';
import { ADMIN_EMAIL, codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { collect, join, roomWithMember, send, wsClient } from '../support/live.js';

/** The contract's operations, verbatim. */
const contract = loadContract().filter((op) => op.file === 'moderation.graphql');
const source = (name: string) => {
  const found = contract.find((op) => op.name === name);
  if (!found) throw new Error(`contract operation ${name} not found`);
  return found.source;
};
const GRANT = source('GrantRole');
const REVOKE = source('RevokeRole');
const ME = 'query { me { id roles } }';
const LOG_IN = 'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { sessionToken user { roles } } }';

let stack: Stack;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
beforeAll(async () => {
  stack = await startStack();
  admin = await signUpAdmin(stack);
});
afterAll(() => stack?.close());

const grant = (userId: string, role: string, token: string) => gql<{ grantRole: { id: string; roles: string[] } }>(stack, GRANT, { userId, role }, { token });
const revoke = (userId: string, role: string, token: string) =>
  gql<{ revokeRole: { id: string; roles: string[] } }>(stack, REVOKE, { userId, role }, { token });
const rolesOf = async (token: string) => (await ok<{ me: { roles: string[] } | null }>(stack, ME, {}, { token })).me?.roles.slice().sort();

/** The audit entries the users domain appended to the stack's `events:audit` stream. */
async function auditEntries(): Promise<AuditEntryPayload[]> {
  const entries = await stack.redis.xrange(auditEventsStream(`${stack.prefix}:`), '-', '+');
  return entries.flatMap(([, fields]) => {
    const event = decodeAuditEvent(fields);
    return event ? [event.payload] : [];
  });
}

describe('grantRole and revokeRole', () => {
  it('should let an admin grant and revoke MODERATOR, each with an audit entry', async () => {
    const fan = await signUp(stack);
    const granted = await grant(fan.user.id, 'MODERATOR', admin.token);
    expect(granted.errors).toBeUndefined();
    expect(granted.data?.grantRole).toEqual({ id: fan.user.id, roles: expect.arrayContaining(['USER', 'MODERATOR']) });
    const revoked = await revoke(fan.user.id, 'MODERATOR', admin.token);
    expect(revoked.data?.revokeRole.roles).toEqual(['USER']);

    const entries = (await auditEntries()).filter((e) => e.targetId === fan.user.id);
    expect(entries.map((e) => [e.action, e.actorId, e.targetType, e.details])).toEqual([
      ['ROLE_GRANTED', admin.user.id, 'USER', { role: 'MODERATOR' }],
      ['ROLE_REVOKED', admin.user.id, 'USER', { role: 'MODERATOR' }],
    ]);
  });

  it('should refuse a moderator or a plain user granting or revoking roles (FORBIDDEN), and change nothing', async () => {
    const [fan, moderator, target] = await Promise.all([signUp(stack), signUp(stack), signUp(stack)]);
    expect((await grant(moderator.user.id, 'MODERATOR', admin.token)).errors).toBeUndefined();
    for (const actor of [fan, moderator]) {
      expect(codeOf(await grant(target.user.id, 'MODERATOR', actor.token))).toBe('FORBIDDEN');
      expect(codeOf(await grant(actor.user.id, 'ADMIN', actor.token))).toBe('FORBIDDEN');
      expect(codeOf(await revoke(admin.user.id, 'ADMIN', actor.token))).toBe('FORBIDDEN');
    }
    expect(codeOf(await grant(target.user.id, 'MODERATOR', ''))).toBe('UNAUTHENTICATED');
    expect(await rolesOf(target.token)).toEqual(['USER']);
    expect(await rolesOf(admin.token)).toEqual(['ADMIN', 'USER']);
  });

  it('should answer NOT_FOUND for an unknown user and BAD_USER_INPUT for USER', async () => {
    expect(codeOf(await grant('ffffffffffffffffffffffff', 'MODERATOR', admin.token))).toBe('NOT_FOUND');
    const fan = await signUp(stack);
    expect(codeOf(await grant(fan.user.id, 'USER', admin.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await revoke(fan.user.id, 'USER', admin.token))).toBe('BAD_USER_INPUT');
  });

  it('should never demote the last admin, and keep a revoked ADMIN_EMAILS admin revoked at their next sign-in', async () => {
    // The stack's only admin cannot demote themself.
    const alone = await revoke(admin.user.id, 'ADMIN', admin.token);
    expect(codeOf(alone)).toBe('FORBIDDEN');
    expect(alone.errors?.[0]?.message).toMatch(/last administrator/);
    expect(await rolesOf(admin.token)).toEqual(['ADMIN', 'USER']);

    // With a second admin, the first can be demoted; then the second is the last one.
    const second = await signUp(stack);
    expect((await grant(second.user.id, 'ADMIN', admin.token)).errors).toBeUndefined();
    expect((await revoke(admin.user.id, 'ADMIN', second.token)).data?.revokeRole.roles).toEqual(['USER']);
    expect(codeOf(await revoke(second.user.id, 'ADMIN', second.token))).toBe('FORBIDDEN');

    // ADMIN_EMAILS lists the demoted admin's email: signing in again does not make them admin again.
    const again = await ok<{ logIn: { sessionToken: string; user: { roles: string[] } } }>(stack, LOG_IN, { email: ADMIN_EMAIL, password: admin.password });
    expect(again.logIn.user.roles).toEqual(['USER']);
    expect(await rolesOf(again.logIn.sessionToken)).toEqual(['USER']);

    // Back as it was: the first admin again, the second demoted.
    expect((await grant(admin.user.id, 'ADMIN', second.token)).errors).toBeUndefined();
    expect((await revoke(second.user.id, 'ADMIN', admin.token)).errors).toBeUndefined();
  });
});

describe('a role change reaches the user without signing them out', () => {
  it('should show new roles at the next request with the same token, and take them away again', async () => {
    const fan = await signUp(stack);
    const fanUser = await signUp(stack);
    const emailQuery = 'query($id: ID!) { user(id: $id) { email } }';
    expect(await rolesOf(fan.token)).toEqual(['USER']);
    expect((await ok(stack, emailQuery, { id: fanUser.user.id }, { token: fan.token })).user.email).toBeNull();

    await grant(fan.user.id, 'ADMIN', admin.token);
    // The very next request, same token: the new role, and what it allows (another user's email).
    expect(await rolesOf(fan.token)).toEqual(['ADMIN', 'USER']);
    expect((await ok(stack, emailQuery, { id: fanUser.user.id }, { token: fan.token })).user.email).toBe(fanUser.email);

    await revoke(fan.user.id, 'ADMIN', admin.token);
    expect(await rolesOf(fan.token)).toEqual(['USER']);
    expect((await ok(stack, emailQuery, { id: fanUser.user.id }, { token: fan.token })).user.email).toBeNull();
  });

  it('should resolve the next event of an open subscription with the new roles, on the same socket', async () => {
    const { roomId, owner } = await roomWithMember(stack, 'role changes live');
    const watcher = await signUp(stack);
    await join(stack, roomId, watcher.token);
    // author.email is visible to its owner and to admins only.
    const client = wsClient(stack.wsUrl, watcher.token);
    let closed = false;
    client.on('closed', () => void (closed = true));
    // Sent before subscribing, and replayed (`after` the start): the subscription has joined once it arrives.
    await send(stack, roomId, 'as a member', owner.token);
    const feed = collect<{ messageAdded: { body: string; author: { id: string; email: string | null } } }>(
      client,
      'subscription($roomId: ID!, $after: String) { messageAdded(roomId: $roomId, after: $after) { body author { id email } } }',
      { roomId, after: encodeMessageCursor(0) },
    );
    try {
      const [first] = await feed.waitFor(1);
      expect(first!.data?.messageAdded).toEqual({ body: 'as a member', author: { id: owner.user.id, email: null } });

      await grant(watcher.user.id, 'ADMIN', admin.token);
      await send(stack, roomId, 'as an admin', owner.token);
      const afterGrant = await feed.waitFor(2);
      expect(afterGrant[1]!.data?.messageAdded).toEqual({ body: 'as an admin', author: { id: owner.user.id, email: owner.email } });

      await revoke(watcher.user.id, 'ADMIN', admin.token);
      await send(stack, roomId, 'a member again', owner.token);
      const afterRevoke = await feed.waitFor(3);
      expect(afterRevoke[2]!.data?.messageAdded).toEqual({ body: 'a member again', author: { id: owner.user.id, email: null } });
      // Each message once, in order, on the one socket that never closed.
      expect(feed.results.map((r) => r.data?.messageAdded.body)).toEqual(['as a member', 'as an admin', 'a member again']);
      expect(closed).toBe(false);
    } finally {
      feed.stop();
      await client.dispose();
    }
  });
});
