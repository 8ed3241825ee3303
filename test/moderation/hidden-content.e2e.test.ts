// Hidden articles and comments through the real router: a staff decision (moderation subgraph)
// travels on the moderation stream to the articles domain, which applies it; everyone but the
// author loses the content from lists, counts, search, single reads, REST and the response cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { eventually } from '../support/live.js';
import { restClient } from '../rest/client.js';
import { HIDE, RESTORE, asModerator } from './content-fixtures.js';

const ARTICLE =
  'query A($id: ID!) { article(id: $id) { id title body hidden commentCount comments(first: 10) { totalCount edges { node { id body hidden } } } } }';
const SEARCH = 'query S($search: String!) { articles(filter: { search: $search }, first: 10) { totalCount edges { node { id title hidden } } } }';
const CONCERT_ARTICLES = 'query C($id: ID!) { concert(id: $id) { id articles(first: 10) { totalCount edges { node { id } } } } }';
const cacheStatus = (res: { headers: Headers }) => res.headers.get('x-stagelives-cache');

describe('hidden content', () => {
  let stack: Stack;
  let admin: Awaited<ReturnType<typeof signUpAdmin>>;
  let author: Awaited<ReturnType<typeof signUp>>;
  let other: Awaited<ReturnType<typeof signUp>>;
  let rest: ReturnType<typeof restClient>;
  let concertId: string;

  beforeAll(async () => {
    stack = await startStack();
    rest = restClient(stack.baseUrl);
    [admin, author, other] = [await signUpAdmin(stack), await signUp(stack), await signUp(stack)];
    const { createConcert } = await ok(
      stack,
      'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
      { input: { title: 'Hidden show', artist: 'IU', venue: 'KSPO Dome', startsAt: new Date(Date.now() + 86_400_000).toISOString() } },
      { token: admin.token },
    );
    concertId = createConcert.id;
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  const createArticle = async (title: string, token: string) =>
    (
      await ok(
        stack,
        'mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }',
        { input: { title, body: `<p>${title} body</p>`, concertId } },
        { token },
      )
    ).createArticle.id as string;

  it('should hide a comment from everyone but its author, purge the cached answer, and restore it unchanged', async () => {
    const articleId = await createArticle(`comments ${randomBytes(3).toString('hex')}`, author.token);
    const { addComment } = await ok(
      stack,
      'mutation($a: ID!) { addComment(articleId: $a, body: "<p>you all are wrong</p>") { id } }',
      { a: articleId },
      { token: other.token },
    );
    await ok(stack, 'mutation($a: ID!) { addComment(articleId: $a, body: "<p>nice</p>") { id } }', { a: articleId }, { token: author.token });
    // Fill the cache with the public answer.
    await gql(stack, ARTICLE, { id: articleId });
    const cached = await gql(stack, ARTICLE, { id: articleId });
    expect(cacheStatus(cached)).toBe('HIT');
    expect(cached.data?.article.commentCount).toBe(2);

    expect((await ok(stack, HIDE, { targetType: 'COMMENT', targetId: addComment.id, reason: 'abuse' }, { token: admin.token })).hideContent).toBe(true);
    // Anonymous, cached before: the purge lets the change through as soon as it is applied.
    await eventually(async () => (await gql(stack, ARTICLE, { id: articleId })).data?.article.commentCount === 1, 5_000, 'the comment hidden');
    const anonymous = (await gql(stack, ARTICLE, { id: articleId })).data?.article;
    expect(anonymous.comments.totalCount).toBe(1);
    expect(anonymous.comments.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(addComment.id);
    const someoneElse = (await ok(stack, ARTICLE, { id: articleId }, { token: admin.token })).article;
    expect(someoneElse.commentCount).toBe(1);
    expect(someoneElse.comments.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(addComment.id);
    // Its author still sees it, marked hidden.
    const own = (await ok(stack, ARTICLE, { id: articleId }, { token: other.token })).article;
    expect(own.commentCount).toBe(2);
    expect(own.comments.edges.find((e: { node: { id: string } }) => e.node.id === addComment.id)?.node).toMatchObject({
      hidden: true,
      body: '<p>you all are wrong</p>',
    });
    // REST (through GraphQL): the comments of the article as others see them.
    const viaRest = await rest('GET', `/article/${articleId}`);
    expect(viaRest.status).toBe(200);
    expect(JSON.stringify(viaRest.json)).not.toContain('you all are wrong');

    expect((await ok(stack, RESTORE, { targetType: 'COMMENT', targetId: addComment.id }, { token: admin.token })).restoreContent).toBe(true);
    await eventually(async () => (await gql(stack, ARTICLE, { id: articleId })).data?.article.commentCount === 2, 5_000, 'the comment restored');
    const back = (await gql(stack, ARTICLE, { id: articleId })).data?.article;
    expect(back.comments.edges.find((e: { node: { id: string } }) => e.node.id === addComment.id)?.node).toEqual({
      id: addComment.id,
      body: '<p>you all are wrong</p>',
      hidden: false,
    });
  });

  it('should hide an article from lists, counts, search, single reads and REST for everyone but its author', async () => {
    const word = `zq${randomBytes(4).toString('hex')}`;
    const articleId = await createArticle(`Spoilers ${word}`, author.token);
    // Public answers cached first.
    for (let i = 0; i < 2; i += 1) {
      await gql(stack, ARTICLE, { id: articleId });
      await gql(stack, SEARCH, { search: word });
      await gql(stack, CONCERT_ARTICLES, { id: concertId });
    }
    expect(cacheStatus(await gql(stack, SEARCH, { search: word }))).toBe('HIT');
    const before = (await gql(stack, CONCERT_ARTICLES, { id: concertId })).data?.concert.articles.totalCount as number;

    await ok(stack, HIDE, { targetType: 'ARTICLE', targetId: articleId, reason: 'spoilers' }, { token: admin.token });
    await eventually(async () => (await gql(stack, ARTICLE, { id: articleId })).data?.article === null, 5_000, 'the article hidden');
    expect((await gql(stack, SEARCH, { search: word })).data?.articles).toEqual({ totalCount: 0, edges: [] });
    expect((await gql(stack, CONCERT_ARTICLES, { id: concertId })).data?.concert.articles.totalCount).toBe(before - 1);
    expect((await ok(stack, ARTICLE, { id: articleId }, { token: other.token })).article).toBeNull();
    expect((await ok(stack, SEARCH, { search: word }, { token: other.token })).articles.totalCount).toBe(0);
    expect((await rest('GET', `/article/${articleId}`)).status).toBe(404);
    expect((await rest('GET', `/article/${articleId}`, { token: other.token })).status).toBe(404);
    expect(JSON.stringify((await rest('GET', `/article?search=${word}`)).json)).not.toContain(articleId);
    // Nobody else can act on it.
    expect(codeOf(await gql(stack, 'mutation($id: ID!) { likeArticle(id: $id) { id } }', { id: articleId }, { token: other.token }))).toBe('NOT_FOUND');
    expect(codeOf(await gql(stack, 'mutation($a: ID!) { addComment(articleId: $a, body: "hi") { id } }', { a: articleId }, { token: other.token }))).toBe(
      'NOT_FOUND',
    );

    // Its author sees it everywhere, marked hidden.
    expect((await ok(stack, ARTICLE, { id: articleId }, { token: author.token })).article).toMatchObject({ id: articleId, hidden: true });
    expect((await ok(stack, SEARCH, { search: word }, { token: author.token })).articles).toMatchObject({
      totalCount: 1,
      edges: [{ node: { id: articleId, hidden: true } }],
    });
    expect((await ok(stack, CONCERT_ARTICLES, { id: concertId }, { token: author.token })).concert.articles.totalCount).toBe(before);
    expect((await rest('GET', `/article/${articleId}`, { token: author.token })).status).toBe(200);

    await ok(stack, RESTORE, { targetType: 'ARTICLE', targetId: articleId }, { token: admin.token });
    await eventually(async () => (await gql(stack, ARTICLE, { id: articleId })).data?.article !== null, 5_000, 'the article restored');
    expect((await gql(stack, ARTICLE, { id: articleId })).data?.article).toMatchObject({
      title: `Spoilers ${word}`,
      body: `<p>Spoilers ${word} body</p>`,
      hidden: false,
    });
    expect((await gql(stack, SEARCH, { search: word })).data?.articles.totalCount).toBe(1);
    expect((await gql(stack, CONCERT_ARTICLES, { id: concertId })).data?.concert.articles.totalCount).toBe(before);
    expect((await rest('GET', `/article/${articleId}`)).status).toBe(200);
  });

  it('should let staff only hide content, and refuse to hide a user', async () => {
    const articleId = await createArticle('not yours to hide', author.token);
    const variables = { targetType: 'ARTICLE', targetId: articleId, reason: 'mine now' };
    expect(codeOf(await gql(stack, HIDE, variables, { token: other.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, HIDE, variables, { token: author.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, RESTORE, { targetType: 'ARTICLE', targetId: articleId }, { token: other.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, HIDE, variables))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(stack, HIDE, { targetType: 'USER', targetId: other.user.id, reason: 'spam' }, { token: admin.token }))).toBe('BAD_USER_INPUT');
    // Nothing happened: the article is still there for everyone.
    expect((await gql(stack, ARTICLE, { id: articleId })).data?.article.hidden).toBe(false);
    // A moderator may.
    const moderator = await asModerator(stack, await signUp(stack));
    expect((await ok(stack, HIDE, variables, { token: moderator })).hideContent).toBe(true);
    await eventually(async () => (await gql(stack, ARTICLE, { id: articleId })).data?.article === null, 5_000, 'hidden by a moderator');
  });
});
