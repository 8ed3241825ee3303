import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '@stagelives/schema/tooling';
import { ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { createConcert } from './fixtures.js';

/** The operations exactly as clients send them, from contract/articles.graphql (the project copy of ../shared/contract). */
const operations = new Map(
  loadContract()
    .filter((op) => op.file === 'articles.graphql')
    .map((op) => [op.name, op]),
);
const op = (name: string) => {
  const found = operations.get(name);
  if (!found) throw new Error(`contract operation ${name} not found`);
  return found;
};
/** Runs a contract operation with its sample variables, overridden where ids must be real. */
const run = (stack: Stack, name: string, variables: Record<string, unknown>, token?: string) =>
  ok(stack, op(name).source, { ...op(name).variables, ...variables }, token ? { token } : {});

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

describe('articles contract operations through the router', () => {
  it('should cover every operation of articles.graphql', () => {
    expect([...operations.keys()].sort()).toEqual(
      [
        'AddComment',
        'Article',
        'Articles',
        'BookmarkArticle',
        'CreateArticle',
        'DeleteArticle',
        'DeleteComment',
        'LikeArticle',
        'MyBookmarks',
        'UnbookmarkArticle',
        'UnlikeArticle',
        'UpdateArticle',
      ].sort(),
    );
  });

  it('should run the whole article life cycle with the contract operations', async () => {
    const admin = await signUpAdmin(stack);
    const [author, reader] = await Promise.all([signUp(stack), signUp(stack)]);
    const concert = await createConcert(stack, admin.token, 'Encore Night');

    const sample = op('CreateArticle').variables.input as Record<string, unknown>;
    const { createArticle } = await run(stack, 'CreateArticle', { input: { ...sample, concertId: concert.id } }, author.token);
    expect(createArticle).toMatchObject({
      title: 'Encore was unreal',
      body: 'They played three extra songs.',
      tags: ['review'],
      author: { id: author.user.id, nickname: author.nickname },
    });
    const id = createArticle.id as string;

    const { articles } = await run(stack, 'Articles', { filter: { concertId: concert.id, search: 'ENCORE' } }, reader.token);
    expect(articles.totalCount).toBe(1);
    expect(articles.edges[0].node).toMatchObject({
      id,
      concert: { id: concert.id, title: 'Encore Night' },
      author: { nickname: author.nickname },
      likeCount: 0,
      commentCount: 0,
      viewerHasLiked: false,
      viewerHasBookmarked: false,
    });

    const { updateArticle } = await run(stack, 'UpdateArticle', { id }, author.token);
    expect(updateArticle).toMatchObject({ id, title: 'Encore was unreal (edited)', body: 'Four extra songs.' });

    const { addComment } = await run(stack, 'AddComment', { articleId: id }, reader.token);
    expect(addComment).toMatchObject({ body: 'Same here!', author: { id: reader.user.id, nickname: reader.nickname } });
    expect((await run(stack, 'LikeArticle', { id }, reader.token)).likeArticle).toEqual({ id, likeCount: 1, viewerHasLiked: true });
    expect((await run(stack, 'BookmarkArticle', { id }, reader.token)).bookmarkArticle).toEqual({ id, viewerHasBookmarked: true });

    const { article } = await run(stack, 'Article', { id }, reader.token);
    expect(article).toMatchObject({
      id,
      title: 'Encore was unreal (edited)',
      concert: { id: concert.id, title: 'Encore Night' },
      likeCount: 1,
      commentCount: 1,
      viewerHasLiked: true,
      viewerHasBookmarked: true,
      comments: { totalCount: 1, edges: [{ node: { id: addComment.id, body: 'Same here!' } }] },
    });
    const { me } = await run(stack, 'MyBookmarks', {}, reader.token);
    expect(me.bookmarkedArticles).toMatchObject({
      totalCount: 1,
      edges: [{ node: { id, author: { nickname: author.nickname } } }],
      pageInfo: { hasNextPage: false },
    });

    expect((await run(stack, 'UnlikeArticle', { id }, reader.token)).unlikeArticle).toEqual({ id, likeCount: 0, viewerHasLiked: false });
    expect((await run(stack, 'UnbookmarkArticle', { id }, reader.token)).unbookmarkArticle).toEqual({ id, viewerHasBookmarked: false });
    expect(await run(stack, 'DeleteComment', { id: addComment.id }, reader.token)).toEqual({ deleteComment: true });
    expect(await run(stack, 'DeleteArticle', { id }, author.token)).toEqual({ deleteArticle: true });
    expect((await run(stack, 'Article', { id })).article).toBeNull();
  });
});
