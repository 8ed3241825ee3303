// An admin's edits and deletes of someone else's article or comment are staff actions: each one
// appears once in the audit log (through the articles domain's audit trail); an author's own
// edits are not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArticle } from '../articles/fixtures.js';
import { ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { eventually } from '../support/live.js';

const UPDATE_ARTICLE = 'mutation($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { id title } }';
const DELETE_ARTICLE = 'mutation($id: ID!) { deleteArticle(id: $id) }';
const ADD_COMMENT = 'mutation($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { id } }';
const UPDATE_COMMENT = 'mutation($id: ID!, $body: String!) { updateComment(id: $id, body: $body) { id body } }';
const DELETE_COMMENT = 'mutation($id: ID!) { deleteComment(id: $id) }';
const AUDIT = 'query($targetId: ID) { auditLog(first: 50, targetId: $targetId) { edges { node { action targetType targetId actor { id } createdAt } } } }';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

describe('staff edits in the audit trail', () => {
  it('should record an admin’s edit and delete of others’ articles and comments, and nothing for an author’s own', async () => {
    const [admin, author] = [await signUpAdmin(stack), await signUp(stack)];
    const article = await createArticle(stack, author.token);
    const { addComment } = await ok(stack, ADD_COMMENT, { articleId: article.id, body: 'first!' }, { token: author.token });

    // The author's own edits: not staff actions.
    await ok(stack, UPDATE_ARTICLE, { id: article.id, input: { title: 'Edited by me' } }, { token: author.token });
    await ok(stack, UPDATE_COMMENT, { id: addComment.id, body: 'edited by me' }, { token: author.token });
    // The admin's: recorded, and applied as before.
    expect((await ok(stack, UPDATE_ARTICLE, { id: article.id, input: { title: 'Edited by staff' } }, { token: admin.token })).updateArticle.title).toBe(
      'Edited by staff',
    );
    expect((await ok(stack, UPDATE_COMMENT, { id: addComment.id, body: 'edited by staff' }, { token: admin.token })).updateComment.body).toBe(
      'edited by staff',
    );
    expect(await ok(stack, DELETE_COMMENT, { id: addComment.id }, { token: admin.token })).toEqual({ deleteComment: true });
    expect(await ok(stack, DELETE_ARTICLE, { id: article.id }, { token: admin.token })).toEqual({ deleteArticle: true });
    expect((await ok(stack, 'query($id: ID!) { article(id: $id) { id } }', { id: article.id })).article).toBeNull();

    const log = async (targetId: string) =>
      (await ok(stack, AUDIT, { targetId }, { token: admin.token })).auditLog.edges.map((e: { node: { action: string; actor: { id: string } } }) => [
        e.node.action,
        e.node.actor.id,
      ]);
    await eventually(async () => (await log(article.id)).length === 2 && (await log(addComment.id)).length === 2, 10_000, 'audit entries');
    expect(await log(article.id)).toEqual([
      ['ARTICLE_DELETED', admin.user.id],
      ['ARTICLE_UPDATED', admin.user.id],
    ]);
    expect(await log(addComment.id)).toEqual([
      ['COMMENT_DELETED', admin.user.id],
      ['COMMENT_UPDATED', admin.user.id],
    ]);
    expect(await stack.mongo.db('articles').collection('audit_outbox').countDocuments()).toBe(0);
  });
});
