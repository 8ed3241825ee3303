import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsStream, decodeAuditEvent, type AuditEntryPayload } from '@stagelives/schema';
import { codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';

const CREATE = 'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id title } }';
const UPDATE = 'mutation($id: ID!, $input: UpdateConcertInput!) { updateConcert(id: $id, input: $input) { id title } }';
const CANCEL = 'mutation($id: ID!) { cancelConcert(id: $id) { id status } }';
const DELETE = 'mutation($id: ID!) { deleteConcert(id: $id) }';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

/** The audit entries on the stack's audit stream, oldest first. */
async function auditEntries(): Promise<AuditEntryPayload[]> {
  const rows = await stack.redis.xrange(auditEventsStream(`${stack.prefix}:`), '-', '+');
  return rows.map(([, fields]) => decodeAuditEvent(fields)?.payload).filter((p): p is AuditEntryPayload => Boolean(p));
}

describe('concert writes in the audit trail', () => {
  it('should record each admin write once, with its actor and target, and nothing for a refused one', async () => {
    const [admin, fan] = await Promise.all([signUpAdmin(stack), signUp(stack)]);
    const input = { title: 'Audit night', artist: 'IU', venue: 'KSPO Dome', startsAt: '2031-03-01T10:00:00.000Z' };
    const { createConcert } = await ok(stack, CREATE, { input }, { token: admin.token });
    await ok(stack, UPDATE, { id: createConcert.id, input: { title: 'Audit night (moved)' } }, { token: admin.token });
    await ok(stack, CANCEL, { id: createConcert.id }, { token: admin.token });
    // Cancelling a cancelled concert changes nothing: no second entry.
    await ok(stack, CANCEL, { id: createConcert.id }, { token: admin.token });
    expect(codeOf(await gql(stack, DELETE, { id: createConcert.id }, { token: fan.token }))).toBe('FORBIDDEN');
    expect(await ok(stack, DELETE, { id: createConcert.id }, { token: admin.token })).toEqual({ deleteConcert: true });
    expect(codeOf(await gql(stack, DELETE, { id: createConcert.id }, { token: admin.token }))).toBe('NOT_FOUND');

    const entries = (await auditEntries()).filter((e) => e.targetId === createConcert.id);
    expect(entries.map((e) => e.action)).toEqual(['CONCERT_CREATED', 'CONCERT_UPDATED', 'CONCERT_CANCELLED', 'CONCERT_DELETED']);
    for (const entry of entries) expect(entry).toEqual(expect.objectContaining({ actorId: admin.user.id, targetType: 'CONCERT' }));
    expect(new Set(entries.map((e) => e.entryId)).size).toBe(4);
    expect(entries[1]!.details).toEqual({ fields: 'title' });
    // Nothing is left waiting in the outbox.
    expect(await stack.mongo.db('concerts').collection('audit_outbox').countDocuments()).toBe(0);
  });
});
