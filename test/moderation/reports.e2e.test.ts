// Reports and the staff queue through the real router: a report is checked with the target's
// owner as the reporter, the queue is staff-only, and resolving acts on the target (hide it,
// suspend its author) and closes every open report on it, each step in the audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { loadContract } from '@stagelives/schema/tooling';
import { createArticle } from '../articles/fixtures.js';
import { SECOND_ADMIN_EMAIL, codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { eventually, join, roomWithMember, send } from '../support/live.js';
import { HIDE, asModerator } from './content-fixtures.js';

/** The contract's operations, verbatim. */
const contract = loadContract().filter((op) => op.file === 'moderation.graphql');
const source = (name: string) => {
  const found = contract.find((op) => op.name === name);
  if (!found) throw new Error(`contract operation ${name} not found`);
  return found.source;
};
const REPORT = source('Report');
const QUEUE = source('ModerationQueue');
const RESOLVE = source('ResolveReport');
const AUDIT = source('AuditLog');
const ADD_COMMENT = 'mutation($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { id } }';
const ARTICLE = 'query($id: ID!) { article(id: $id) { id } }';

type Account = Awaited<ReturnType<typeof signUp>>;
interface ReportNode {
  id: string;
  status: string;
  targetType: string;
  targetId: string;
  reason: string;
  note: string | null;
  resolvedAt: string | null;
  reporter: { id: string; nickname: string };
}

let stack: Stack;
let admin: Account;
let moderatorToken: string;
beforeAll(async () => {
  stack = await startStack();
  admin = await signUpAdmin(stack);
  moderatorToken = await asModerator(stack, await signUp(stack));
}, 60_000);
afterAll(() => stack?.close());

const report = (token: string, input: Record<string, unknown>) => gql<{ report: ReportNode }>(stack, REPORT, { input }, { token });
const queue = async (token: string, variables: Record<string, unknown> = {}) =>
  (await ok<{ reports: { totalCount: number; edges: Array<{ node: ReportNode }> } }>(stack, QUEUE, { first: 50, ...variables }, { token })).reports;

describe('reports', () => {
  it('should file one open report per reporter and target, give the same back on a repeat, and refuse what the reporter cannot see', async () => {
    const [author, reporter, second] = [await signUp(stack), await signUp(stack), await signUp(stack)];
    const article = await createArticle(stack, author.token);

    const first = await report(reporter.token, { targetType: 'ARTICLE', targetId: article.id, reason: 'SPAM', note: '  the same link, ten times  ' });
    expect(first.errors).toBeUndefined();
    expect(first.data!.report).toEqual(
      expect.objectContaining({ status: 'OPEN', targetType: 'ARTICLE', targetId: article.id, reason: 'SPAM', note: 'the same link, ten times' }),
    );
    const again = await report(reporter.token, { targetType: 'ARTICLE', targetId: article.id, reason: 'HATE' });
    expect(again.data!.report.id).toBe(first.data!.report.id);
    // Another reporter files their own.
    const theirs = await report(second.token, { targetType: 'ARTICLE', targetId: article.id, reason: 'OTHER' });
    expect(theirs.data!.report.id).not.toBe(first.data!.report.id);

    // Targets that do not exist, or that the reporter cannot see: NOT_FOUND, nothing filed.
    const missing = new ObjectId().toHexString();
    for (const targetType of ['ARTICLE', 'COMMENT', 'CHAT_MESSAGE', 'USER']) {
      expect(codeOf(await report(reporter.token, { targetType, targetId: missing, reason: 'SPAM' })), targetType).toBe('NOT_FOUND');
    }
    // Hidden by staff: gone for the reporter, so NOT_FOUND (once the articles domain applied it).
    const hidden = await createArticle(stack, author.token);
    await ok(stack, HIDE, { targetType: 'ARTICLE', targetId: hidden.id, reason: 'x' }, { token: admin.token });
    await eventually(async () => (await ok(stack, ARTICLE, { id: hidden.id }, { token: reporter.token })).article === null, 10_000, 'article hidden');
    expect(codeOf(await report(reporter.token, { targetType: 'ARTICLE', targetId: hidden.id, reason: 'SPAM' }))).toBe('NOT_FOUND');
    expect(codeOf(await report(reporter.token, { targetType: 'USER', targetId: reporter.user.id, reason: 'SPAM' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await report(reporter.token, { targetType: 'ARTICLE', targetId: 'nope', reason: 'SPAM' }))).toBe('BAD_USER_INPUT');
    expect(
      codeOf(
        await report(second.token, { targetType: 'ARTICLE', targetId: (await createArticle(stack, author.token)).id, reason: 'SPAM', note: 'x'.repeat(501) }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(stack, REPORT, { input: { targetType: 'ARTICLE', targetId: article.id, reason: 'SPAM' } }))).toBe('UNAUTHENTICATED');

    // Every kind of target: a comment, a chat message, an account.
    const { addComment } = await ok(stack, ADD_COMMENT, { articleId: article.id, body: 'rude' }, { token: author.token });
    const { roomId, owner } = await roomWithMember(stack);
    await join(stack, roomId, author.token);
    const message = await send(stack, roomId, 'spam spam', author.token);
    for (const [targetType, targetId] of [
      ['COMMENT', addComment.id],
      ['CHAT_MESSAGE', message.id],
      ['USER', author.user.id],
    ] as const) {
      const filed = await report(owner.token, { targetType, targetId, reason: 'HARASSMENT' });
      expect(filed.errors, targetType).toBeUndefined();
      expect(filed.data!.report.status).toBe('OPEN');
    }
  });

  it('should show the queue to staff only, newest first, filtered by status and target type', async () => {
    const [author, reporter] = [await signUp(stack), await signUp(stack)];
    const older = await createArticle(stack, author.token);
    const newer = await createArticle(stack, author.token);
    const a = (await report(reporter.token, { targetType: 'ARTICLE', targetId: older.id, reason: 'SPAM' })).data!.report;
    const b = (await report(reporter.token, { targetType: 'ARTICLE', targetId: newer.id, reason: 'VIOLENCE' })).data!.report;
    const open = await queue(moderatorToken, { status: 'OPEN', targetType: 'ARTICLE' });
    const ids = open.edges.map((e) => e.node.id);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    expect(ids.indexOf(a.id)).toBeGreaterThanOrEqual(0);
    expect(open.edges.find((e) => e.node.id === b.id)!.node.reporter).toEqual({ id: reporter.user.id, nickname: reporter.user.nickname });
    expect(open.totalCount).toBeGreaterThanOrEqual(2);
    expect((await queue(moderatorToken, { targetType: 'USER' })).edges.every((e) => e.node.targetType === 'USER')).toBe(true);
    // Not staff: FORBIDDEN; signed out: UNAUTHENTICATED.
    expect(codeOf(await gql(stack, QUEUE, { first: 5 }, { token: reporter.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, QUEUE, { first: 5 }))).toBe('UNAUTHENTICATED');
  });

  it('should resolve by hiding the content, closing every open report on it, and record it', async () => {
    const [author, r1, r2] = [await signUp(stack), await signUp(stack), await signUp(stack)];
    const article = await createArticle(stack, author.token);
    const first = (await report(r1.token, { targetType: 'ARTICLE', targetId: article.id, reason: 'SPAM' })).data!.report;
    const second = (await report(r2.token, { targetType: 'ARTICLE', targetId: article.id, reason: 'HATE' })).data!.report;

    // A user, even the reporter, cannot resolve.
    expect(codeOf(await gql(stack, RESOLVE, { reportId: first.id, action: 'DISMISS' }, { token: r1.token }))).toBe('FORBIDDEN');
    const resolved = await ok<{ resolveReport: { id: string; status: string; resolvedAt: string } }>(
      stack,
      RESOLVE,
      { reportId: first.id, action: 'HIDE_CONTENT', note: 'spam' },
      { token: moderatorToken },
    );
    expect(resolved.resolveReport).toEqual({ id: first.id, status: 'RESOLVED', resolvedAt: expect.any(String) });
    // The other report on the same target is closed too; resolving again is a CONFLICT.
    const closed = (await queue(moderatorToken, { targetType: 'ARTICLE' })).edges.find((e) => e.node.id === second.id)!.node;
    expect(closed.status).toBe('RESOLVED');
    expect(codeOf(await gql(stack, RESOLVE, { reportId: second.id, action: 'DISMISS' }, { token: moderatorToken }))).toBe('CONFLICT');
    // The article is hidden from others once the articles domain applied the decision.
    await eventually(async () => (await ok(stack, ARTICLE, { id: article.id }, { token: r1.token })).article === null, 10_000, 'article hidden');
    // The reporter may report it again later only once it is visible; an account can be hidden: no.
    const user = (await report(r1.token, { targetType: 'USER', targetId: author.user.id, reason: 'SPAM' })).data!.report;
    expect(codeOf(await gql(stack, RESOLVE, { reportId: user.id, action: 'HIDE_CONTENT' }, { token: moderatorToken }))).toBe('BAD_USER_INPUT');

    // The audit trail has the resolution and the hide it caused.
    await eventually(
      async () => {
        const entries = (await ok(stack, AUDIT, { first: 50 }, { token: admin.token })).auditLog.edges.map(
          (e: { node: { action: string; targetId: string } }) => e.node,
        );
        return (
          entries.some((e: { action: string; targetId: string }) => e.action === 'REPORT_RESOLVED' && e.targetId === first.id) &&
          entries.some((e: { action: string; targetId: string }) => e.action === 'CONTENT_HIDDEN' && e.targetId === article.id)
        );
      },
      10_000,
      'audit entries',
    );
  });

  it('should resolve by suspending the author through the users domain, whose rules still apply', async () => {
    const [author, reporter] = [await signUp(stack), await signUp(stack)];
    const { roomId } = await roomWithMember(stack);
    await join(stack, roomId, author.token);
    const message = await send(stack, roomId, 'buy followers here', author.token);
    await join(stack, roomId, reporter.token);
    const filed = (await report(reporter.token, { targetType: 'CHAT_MESSAGE', targetId: message.id, reason: 'SPAM' })).data!.report;
    const { resolveReport } = await ok(stack, RESOLVE, { reportId: filed.id, action: 'SUSPEND_AUTHOR', note: 'spam bot' }, { token: moderatorToken });
    expect(resolveReport.status).toBe('RESOLVED');
    // The author is suspended: their session ends within a second, signing in is refused.
    await eventually(async () => (await gql(stack, 'query { me { id } }', {}, { token: author.token })).data?.me === null, 2_000, 'session ended');
    const login = await gql(stack, 'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { sessionToken } }', {
      e: author.email,
      p: author.password,
    });
    expect(codeOf(login)).toBe('ACCOUNT_SUSPENDED');

    // A moderator cannot suspend staff through a report either: the users domain refuses, the report stays open.
    const staffAuthor = await signUpAdmin(stack, SECOND_ADMIN_EMAIL);
    const staffArticle = await createArticle(stack, staffAuthor.token);
    const onStaff = (await report(reporter.token, { targetType: 'ARTICLE', targetId: staffArticle.id, reason: 'OTHER' })).data!.report;
    expect(codeOf(await gql(stack, RESOLVE, { reportId: onStaff.id, action: 'SUSPEND_AUTHOR' }, { token: moderatorToken }))).toBe('FORBIDDEN');
    expect((await queue(moderatorToken, { status: 'OPEN' })).edges.some((e) => e.node.id === onStaff.id)).toBe(true);
    // Dismissing closes it as DISMISSED.
    const dismissed = await ok(stack, RESOLVE, { reportId: onStaff.id, action: 'DISMISS' }, { token: admin.token });
    expect(dismissed.resolveReport.status).toBe('DISMISSED');
  });
});
