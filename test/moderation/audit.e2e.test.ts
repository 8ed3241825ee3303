// The audit trail through the real router: staff actions of the moderation domain appear in
// `auditLog` (admins only), newest first, with their actor; entries are kept once per entryId.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { auditEvent, publishAuditEvents, type AuditEntryPayload } from '@stagelives/schema';
import { codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { eventually } from '../support/live.js';
import { HIDE, RESTORE, asModerator } from './content-fixtures.js';

const AUDIT_LOG = `query AuditLog($first: Int, $after: String, $actorId: ID, $targetId: ID) {
  auditLog(first: $first, after: $after, actorId: $actorId, targetId: $targetId) {
    pageInfo { hasNextPage endCursor }
    edges { node { id action targetType targetId reason createdAt actor { id nickname } } }
  }
}`;

type Node = {
  id: string;
  action: string;
  targetType: string;
  targetId: string;
  reason: string | null;
  createdAt: string;
  actor: { id: string; nickname: string } | null;
};

describe('audit log', () => {
  let stack: Stack;
  let admin: Awaited<ReturnType<typeof signUpAdmin>>;
  let user: Awaited<ReturnType<typeof signUp>>;
  let moderator: { token: string; id: string; nickname: string };

  const log = async (variables: Record<string, unknown>, token = admin.token): Promise<Node[]> =>
    (await ok(stack, AUDIT_LOG, variables, { token })).auditLog.edges.map((e: { node: Node }) => e.node);

  beforeAll(async () => {
    stack = await startStack();
    [admin, user] = [await signUpAdmin(stack), await signUp(stack)];
    const mod = await signUp(stack);
    moderator = { token: await asModerator(stack, mod), id: mod.user.id, nickname: mod.nickname };
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('should list hide and restore decisions newest first with their actor, filtered by actor and target', async () => {
    const { createArticle } = await ok(
      stack,
      'mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }',
      { input: { title: 'Audited', body: '<p>x</p>' } },
      { token: user.token },
    );
    const { addComment } = await ok(
      stack,
      'mutation($a: ID!) { addComment(articleId: $a, body: "spam spam") { id } }',
      { a: createArticle.id },
      { token: user.token },
    );
    await ok(stack, HIDE, { targetType: 'COMMENT', targetId: addComment.id, reason: 'spam' }, { token: moderator.token });
    await ok(stack, RESTORE, { targetType: 'COMMENT', targetId: addComment.id }, { token: admin.token });
    await ok(stack, HIDE, { targetType: 'ARTICLE', targetId: createArticle.id, reason: 'off-topic' }, { token: admin.token });

    await eventually(async () => (await log({ targetId: addComment.id })).length === 2, 5_000, 'two entries on the comment');
    const onComment = await log({ targetId: addComment.id });
    expect(onComment.map((n) => n.action)).toEqual(['CONTENT_RESTORED', 'CONTENT_HIDDEN']);
    expect(onComment[0]).toMatchObject({
      targetType: 'COMMENT',
      targetId: addComment.id,
      reason: null,
      actor: { id: admin.user.id, nickname: admin.nickname },
    });
    expect(onComment[1]).toMatchObject({ targetType: 'COMMENT', reason: 'spam', actor: { id: moderator.id, nickname: moderator.nickname } });
    expect(Date.parse(onComment[0]!.createdAt)).toBeGreaterThanOrEqual(Date.parse(onComment[1]!.createdAt));

    await eventually(async () => (await log({ targetId: createArticle.id })).length === 1, 5_000, 'the article entry');
    const all = await log({ first: 50 });
    expect(all.slice(0, 3).map((n) => [n.action, n.targetId])).toEqual([
      ['CONTENT_HIDDEN', createArticle.id],
      ['CONTENT_RESTORED', addComment.id],
      ['CONTENT_HIDDEN', addComment.id],
    ]);
    const byModerator = await log({ actorId: moderator.id });
    expect(byModerator.map((n) => [n.action, n.targetId])).toEqual([['CONTENT_HIDDEN', addComment.id]]);
    expect(await log({ actorId: moderator.id, targetId: createArticle.id })).toEqual([]);

    // Pages: newest first, then the rest after the cursor.
    const first = (await ok(stack, AUDIT_LOG, { first: 1 }, { token: admin.token })).auditLog;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = await log({ first: 2, after: first.pageInfo.endCursor });
    expect(next.map((n) => n.id)).toEqual(all.slice(1, 3).map((n) => n.id));
  });

  it('should be readable by admins only', async () => {
    expect(codeOf(await gql(stack, AUDIT_LOG, { first: 5 }, { token: moderator.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, AUDIT_LOG, { first: 5 }, { token: user.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, AUDIT_LOG, { first: 5 }))).toBe('UNAUTHENTICATED');
  });

  it('should keep an entry appended twice once, and show a deleted actor as a deleted user', async () => {
    const gone = await signUp(stack);
    const targetId = new ObjectId().toHexString();
    const entry = (action: AuditEntryPayload['action'], actorId: string): AuditEntryPayload => ({
      entryId: randomUUID(),
      actorId,
      action,
      targetType: 'USER',
      targetId,
      reason: 'by hand',
      details: {},
      at: new Date().toISOString(),
    });
    const twice = entry('USER_SUSPENDED', gone.user.id);
    const prefix = stack.env.REDIS_PREFIX!;
    await publishAuditEvents(stack.redis, prefix, [auditEvent('audit.recorded', twice), auditEvent('audit.recorded', twice)]);
    // A later entry on the same target: once it is there, both copies before it were handled.
    const later = { ...entry('USER_UNSUSPENDED', admin.user.id), at: new Date(Date.now() + 1_000).toISOString() };
    await publishAuditEvents(stack.redis, prefix, [auditEvent('audit.recorded', later)]);
    await eventually(async () => (await log({ targetId })).some((n) => n.id === later.entryId), 5_000, 'the later entry');
    expect((await log({ targetId })).map((n) => n.id)).toEqual([later.entryId, twice.entryId]);

    // The actor deletes their account: the entry stays, by "deleted user".
    await ok(stack, 'mutation($password: String!) { deleteAccount(password: $password) }', { password: gone.password }, { token: gone.token });
    const [, kept] = await log({ targetId });
    expect(kept).toMatchObject({ id: twice.entryId, action: 'USER_SUSPENDED', reason: 'by hand', actor: { id: gone.user.id, nickname: 'deleted user' } });
  });
});
