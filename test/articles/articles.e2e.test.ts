import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { createLogger, detectMongoFeatures, equalityReadsFor, loadBaseConfig } from '@stagelives/platform';
import { createArticlesServer } from '@stagelives/articles';
import { codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { BOOKMARK, LIKE, UNBOOKMARK, createArticle, createConcert } from './fixtures.js';

const ARTICLE = `query Article($id: ID!, $first: Int, $after: String) {
  article(id: $id) {
    id title body tags createdAt updatedAt
    author { id nickname avatarUrl }
    concert { id title startsAt }
    likeCount commentCount viewerHasLiked viewerHasBookmarked
    comments(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id body createdAt author { id nickname } } }
    }
  }
}`;
const ARTICLES = `query Articles($filter: ArticleFilter, $first: Int, $after: String) {
  articles(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id title createdAt updatedAt tags
        author { id nickname avatarUrl }
        concert { id title }
        likeCount commentCount viewerHasLiked viewerHasBookmarked
      }
    }
  }
}`;
const UPDATE = 'mutation UpdateArticle($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { id title body updatedAt } }';
const DELETE = 'mutation DeleteArticle($id: ID!) { deleteArticle(id: $id) }';
const ADD_COMMENT =
  'mutation AddComment($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { id body createdAt author { id nickname } } }';
const DELETE_COMMENT = 'mutation DeleteComment($id: ID!) { deleteComment(id: $id) }';
const MY_BOOKMARKS = `query MyBookmarks($first: Int, $after: String) {
  me { id bookmarkedArticles(first: $first, after: $after) { totalCount edges { node { id title author { nickname } } } pageInfo { hasNextPage endCursor } } }
}`;
const CONCERT_ARTICLES = 'query($id: ID!) { concert(id: $id) { id articles(first: 5) { totalCount edges { node { id title author { id nickname } } } } } }';

type Fan = Awaited<ReturnType<typeof signUp>>;
let stack: Stack;
let admin: Fan;
let alice: Fan;
let bob: Fan;
beforeAll(async () => {
  stack = await startStack();
  admin = await signUpAdmin(stack);
  [alice, bob] = await Promise.all([signUp(stack), signUp(stack)]);
});
afterAll(() => stack?.close());

describe('articles through the router', () => {
  it('should create an article and read it back with its author and concert from the other subgraphs', async () => {
    const concert = await createConcert(stack, admin.token, 'Golden Hour Seoul');
    const created = await createArticle(stack, alice.token, {
      title: '  Encore was <b>unreal</b> ',
      body: '<p>They played <strong>three</strong> extra songs.</p>',
      concertId: concert.id,
      tags: [' Review', '#review', 'K-Pop  Live', 'REVIEW'],
    });
    expect(created).toMatchObject({
      title: 'Encore was unreal',
      body: '<p>They played <strong>three</strong> extra songs.</p>',
      tags: ['review', 'k-pop live'],
      author: { id: alice.user.id, nickname: alice.nickname },
    });
    const { article } = await ok(stack, ARTICLE, { id: created.id, first: 20 }, { token: bob.token });
    expect(article).toMatchObject({
      id: created.id,
      author: { id: alice.user.id, nickname: alice.nickname, avatarUrl: null },
      concert: { id: concert.id, title: 'Golden Hour Seoul' },
      likeCount: 0,
      commentCount: 0,
      viewerHasLiked: false,
      viewerHasBookmarked: false,
      comments: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
    });
    expect(article.createdAt).toBe(article.updatedAt);

    const { concert: withArticles } = await ok(stack, CONCERT_ARTICLES, { id: concert.id });
    expect(withArticles.articles).toEqual({
      totalCount: 1,
      edges: [{ node: { id: created.id, title: 'Encore was unreal', author: { id: alice.user.id, nickname: alice.nickname } } }],
    });
    expect((await ok(stack, ARTICLE, { id: new ObjectId().toHexString() })).article).toBeNull();
    expect((await ok(stack, ARTICLE, { id: 'not-an-id' })).article).toBeNull();
  });

  it('should refuse anonymous writes and bad input with the field named', async () => {
    const anon = await gql(stack, 'mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }', { input: { title: 't', body: 'b' } });
    expect(codeOf(anon)).toBe('UNAUTHENTICATED');
    const bad = async (input: Record<string, unknown>) => {
      const res = await gql(
        stack,
        'mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }',
        { input: { title: 'Title', body: 'Body', ...input } },
        { token: alice.token },
      );
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      return res.errors?.[0]?.extensions?.field;
    };
    expect(await bad({ title: 'x'.repeat(201) })).toBe('input.title');
    expect(await bad({ title: '<script>alert(1)</script>' })).toBe('input.title');
    expect(await bad({ body: 'x'.repeat(20_001) })).toBe('input.body');
    expect(await bad({ body: '<img src=x onerror=alert(1)><p> </p>' })).toBe('input.body');
    expect(await bad({ tags: Array.from({ length: 11 }, (_, i) => `tag${i}`) })).toBe('input.tags');
    expect(await bad({ tags: ['x'.repeat(31)] })).toBe('input.tags');
    expect(await bad({ tags: ['  '] })).toBe('input.tags');
    expect(await bad({ concertId: 'nope' })).toBe('input.concertId');
    // Limits are inclusive, and duplicates do not count against the ten.
    const max = await createArticle(stack, alice.token, {
      title: 't'.repeat(200),
      body: 'b'.repeat(20_000),
      tags: [...Array.from({ length: 10 }, (_, i) => `t${i}`), 'T0', '#t1'],
    });
    expect(max.tags).toHaveLength(10);
    expect(max.body).toHaveLength(20_000);
  });

  it('should let only the author or an admin update or delete an article', async () => {
    const article = await createArticle(stack, alice.token);
    expect(codeOf(await gql(stack, UPDATE, { id: article.id, input: { title: 'Hijacked' } }, { token: bob.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, DELETE, { id: article.id }, { token: bob.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, UPDATE, { id: article.id, input: { title: 'Anon' } }))).toBe('UNAUTHENTICATED');

    const { updateArticle } = await ok(
      stack,
      UPDATE,
      { id: article.id, input: { title: 'Encore was unreal (edited)', body: 'Four extra songs.' } },
      { token: alice.token },
    );
    expect(updateArticle).toMatchObject({ title: 'Encore was unreal (edited)', body: 'Four extra songs.' });
    const byAdmin = await ok(stack, UPDATE, { id: article.id, input: { body: '<p>Moderated</p>' } }, { token: admin.token });
    expect(byAdmin.updateArticle).toMatchObject({ title: 'Encore was unreal (edited)', body: '<p>Moderated</p>' });
    await ok(stack, UPDATE, { id: article.id, input: { tags: ['New', 'new ', 'Tags'] } }, { token: alice.token });
    expect((await ok(stack, ARTICLE, { id: article.id })).article.tags).toEqual(['new', 'tags']);
    await ok(stack, UPDATE, { id: article.id, input: { tags: null } }, { token: alice.token });
    const { article: read } = await ok(stack, ARTICLE, { id: article.id });
    expect(read.tags).toEqual([]);
    expect(read.body).toBe('<p>Moderated</p>');
    expect(read.title).toBe('Encore was unreal (edited)');
    expect(codeOf(await gql(stack, UPDATE, { id: article.id, input: { title: null } }, { token: alice.token }))).toBe('BAD_USER_INPUT');
    expect(new Date(read.updatedAt).getTime()).toBeGreaterThan(new Date(read.createdAt).getTime());

    expect(await ok(stack, DELETE, { id: article.id }, { token: admin.token })).toEqual({ deleteArticle: true });
    expect((await ok(stack, ARTICLE, { id: article.id })).article).toBeNull();
    expect(codeOf(await gql(stack, DELETE, { id: article.id }, { token: alice.token }))).toBe('NOT_FOUND');
  });

  it('should let only the comment author or an admin delete a comment, and page comments oldest first', async () => {
    const article = await createArticle(stack, alice.token);
    const bodies = ['first!', 'Same here!', 'third', 'fourth', '<em>fifth</em>'];
    const ids: string[] = [];
    for (const body of bodies) ids.push((await ok(stack, ADD_COMMENT, { articleId: article.id, body }, { token: bob.token })).addComment.id);

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { article: page }: { article: any } = await ok(stack, ARTICLE, { id: article.id, first: 2, after });
      expect(page.commentCount).toBe(5);
      expect(page.comments.totalCount).toBe(5);
      seen.push(...page.comments.edges.map((e: any) => e.node.body));
      for (const e of page.comments.edges) expect(e.node.author).toEqual({ id: bob.user.id, nickname: bob.nickname });
      if (!page.comments.pageInfo.hasNextPage) break;
      after = page.comments.pageInfo.endCursor;
    }
    expect(seen).toEqual(bodies);

    expect(codeOf(await gql(stack, DELETE_COMMENT, { id: ids[0] }, { token: alice.token }))).toBe('FORBIDDEN');
    expect(await ok(stack, DELETE_COMMENT, { id: ids[0] }, { token: bob.token })).toEqual({ deleteComment: true });
    expect(await ok(stack, DELETE_COMMENT, { id: ids[1] }, { token: admin.token })).toEqual({ deleteComment: true });
    expect(codeOf(await gql(stack, DELETE_COMMENT, { id: ids[1] }, { token: admin.token }))).toBe('NOT_FOUND');
    const edited = await gql(
      stack,
      'mutation($id: ID!, $body: String!) { updateComment(id: $id, body: $body) { body } }',
      { id: ids[2], body: 'edited' },
      { token: alice.token },
    );
    expect(codeOf(edited)).toBe('FORBIDDEN');
    const { article: after2 } = await ok(stack, ARTICLE, { id: article.id, first: 10 });
    expect(after2.commentCount).toBe(3);
    expect(after2.comments.edges.map((e: any) => e.node.body)).toEqual(['third', 'fourth', '<em>fifth</em>']);
    expect(codeOf(await gql(stack, ADD_COMMENT, { articleId: article.id, body: 'x'.repeat(2001) }, { token: bob.token }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(stack, ADD_COMMENT, { articleId: new ObjectId().toHexString(), body: 'hello' }, { token: bob.token }))).toBe('NOT_FOUND');
  });

  it('should delete an article with its comments, likes and bookmarks', async () => {
    const article = await createArticle(stack, alice.token, { title: 'Doomed post' });
    await ok(stack, ADD_COMMENT, { articleId: article.id, body: 'going away' }, { token: bob.token });
    await ok(stack, LIKE, { id: article.id }, { token: bob.token });
    await ok(stack, BOOKMARK, { id: article.id }, { token: bob.token });
    const before = (await ok(stack, MY_BOOKMARKS, { first: 50 }, { token: bob.token })).me.bookmarkedArticles;
    expect(before.edges.map((e: any) => e.node.id)).toContain(article.id);

    await ok(stack, DELETE, { id: article.id }, { token: alice.token });
    const db = stack.mongo.db('articles');
    const articleId = new ObjectId(article.id);
    for (const name of ['comments', 'likes', 'bookmarks']) expect(await db.collection(name).countDocuments({ articleId })).toBe(0);
    expect(await db.collection('articles').countDocuments({ _id: articleId })).toBe(0);
    const mine = (await ok(stack, MY_BOOKMARKS, { first: 50 }, { token: bob.token })).me.bookmarkedArticles;
    expect(mine.edges.map((e: any) => e.node.id)).not.toContain(article.id);
    expect(mine.totalCount).toBe(before.totalCount - 1);
    expect(codeOf(await gql(stack, LIKE, { id: article.id }, { token: bob.token }))).toBe('NOT_FOUND');
    expect(codeOf(await gql(stack, ADD_COMMENT, { articleId: article.id, body: 'late' }, { token: bob.token }))).toBe('NOT_FOUND');
  });

  it('should keep bookmarks private, idempotent and paged newest first', async () => {
    const carol = await signUp(stack);
    const posts = [];
    for (let i = 0; i < 3; i += 1) posts.push(await createArticle(stack, alice.token, { title: `Bookmarkable ${i}` }));
    for (const post of posts) {
      const a = await ok(stack, BOOKMARK, { id: post.id }, { token: carol.token });
      const b = await ok(stack, BOOKMARK, { id: post.id }, { token: carol.token });
      expect(a.bookmarkArticle.viewerHasBookmarked).toBe(true);
      expect(b.bookmarkArticle.viewerHasBookmarked).toBe(true);
    }
    const first = (await ok(stack, MY_BOOKMARKS, { first: 2 }, { token: carol.token })).me.bookmarkedArticles;
    expect(first.totalCount).toBe(3);
    expect(first.edges.map((e: any) => e.node.title)).toEqual(['Bookmarkable 2', 'Bookmarkable 1']);
    expect(first.edges[0].node.author).toEqual({ nickname: alice.nickname });
    const second = (await ok(stack, MY_BOOKMARKS, { first: 2, after: first.pageInfo.endCursor }, { token: carol.token })).me.bookmarkedArticles;
    expect(second.edges.map((e: any) => e.node.title)).toEqual(['Bookmarkable 0']);
    expect(second.pageInfo.hasNextPage).toBe(false);

    const un = await ok(stack, UNBOOKMARK, { id: posts[1]!.id }, { token: carol.token });
    expect(un.unbookmarkArticle.viewerHasBookmarked).toBe(false);
    expect((await ok(stack, UNBOOKMARK, { id: posts[1]!.id }, { token: carol.token })).unbookmarkArticle.viewerHasBookmarked).toBe(false);
    expect((await ok(stack, MY_BOOKMARKS, { first: 10 }, { token: carol.token })).me.bookmarkedArticles.totalCount).toBe(2);

    const peek = await gql(stack, 'query($id: ID!) { user(id: $id) { id bookmarkedArticles { totalCount } } }', { id: carol.user.id }, { token: bob.token });
    expect(codeOf(peek)).toBe('FORBIDDEN');
    expect(JSON.stringify(peek.data ?? {})).not.toContain('totalCount');
  });
});

describe('article lists', () => {
  let dave: Fan;
  let concertId: string;
  const titles: string[] = [];
  beforeAll(async () => {
    dave = await signUp(stack);
    concertId = (await createConcert(stack, admin.token, 'Filter Fest')).id;
    const specs = [
      { title: 'Setlist thoughts', body: 'The ENCORE was long', tags: ['Setlist'] },
      { title: 'Merch line', body: 'Queue took 2 hours (really)', tags: ['merch', 'tips'] },
      { title: 'Encore chant guide', body: 'Shout *loudly* in the a.c room', tags: ['tips'], concertId: true },
      { title: 'Seat view', body: 'Section abc, row 3', tags: [], concertId: true },
      { title: 'Afterparty', body: 'Met the band. Encore!', tags: ['Setlist', 'fun'], concertId: true },
    ];
    for (const s of specs) {
      await createArticle(stack, dave.token, { title: s.title, body: s.body, tags: s.tags, concertId: s.concertId ? concertId : null });
      titles.unshift(s.title);
    }
  });

  const list = async (filter: Record<string, unknown>, first = 20, after: string | null = null) =>
    (await ok(stack, ARTICLES, { filter, first, after })).articles;

  it('should page newest first with stable cursors and an exact totalCount', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await list({ authorId: dave.user.id }, 2, after);
      expect(page.totalCount).toBe(seen.length === 0 ? 5 : 6);
      seen.push(...page.edges.map((e: any) => e.node.title));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      // A newer article posted between pages must not shift or repeat what comes next.
      if (seen.length === 2) await createArticle(stack, dave.token, { title: 'Interloper', body: 'late' });
    }
    expect(seen).toEqual(titles);
    expect((await list({ authorId: dave.user.id }, 1)).edges[0].node.title).toBe('Interloper');
    expect(codeOf(await gql(stack, ARTICLES, { after: 'bogus' }))).toBe('BAD_USER_INPUT');
    const huge = Buffer.from(JSON.stringify([1e20, new ObjectId().toHexString()])).toString('base64url');
    expect(codeOf(await gql(stack, ARTICLES, { after: huge }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(stack, ARTICLES, { first: 101 }))).toBe('BAD_USER_INPUT');
  });

  it('should filter by concert, author and normalised tag', async () => {
    const byConcert = await list({ concertId });
    expect(byConcert.totalCount).toBe(3);
    expect(byConcert.edges.map((e: any) => e.node.title)).toEqual(['Afterparty', 'Seat view', 'Encore chant guide']);
    for (const e of byConcert.edges) expect(e.node.concert).toEqual({ id: concertId, title: 'Filter Fest' });
    const byTag = await list({ tag: ' #SETLIST ', authorId: dave.user.id });
    expect(byTag.edges.map((e: any) => e.node.title)).toEqual(['Afterparty', 'Setlist thoughts']);
    expect((await list({ tag: 'tips', concertId })).edges.map((e: any) => e.node.title)).toEqual(['Encore chant guide']);
    expect((await list({ authorId: new ObjectId().toHexString() })).totalCount).toBe(0);
    expect(codeOf(await gql(stack, ARTICLES, { filter: { concertId: 'x' } }))).toBe('BAD_USER_INPUT');
  });

  it('should search title and body case-insensitively, all words, with user text taken literally', async () => {
    const titlesOf = async (search: string) => (await list({ search, authorId: dave.user.id })).edges.map((e: any) => e.node.title);
    expect(await titlesOf('encore')).toEqual(['Afterparty', 'Encore chant guide', 'Setlist thoughts']);
    expect(await titlesOf('ENCORE band')).toEqual(['Afterparty']);
    expect(await titlesOf('a.c')).toEqual(['Encore chant guide']);
    expect(await titlesOf('(really)')).toEqual(['Merch line']);
    expect(await titlesOf('*loudly*')).toEqual(['Encore chant guide']);
    expect(await titlesOf('.*')).toEqual([]);
    expect(await titlesOf('[')).toEqual([]);
    expect(await titlesOf('^Seat')).toEqual([]);
    for (const odd of ['\\', '"', "'", '$where', '{"$gt": ""}', '\\d+', '🎤', '(?i)', 'a|b']) expect(await titlesOf(odd)).toEqual([]);
    const korean = await createArticle(stack, dave.token, { title: '앵콜 후기', body: '<p>세 곡을 <b>더</b> 불렀어요 🎤</p>' });
    expect((await list({ search: '앵콜' })).edges.map((e: any) => e.node.id)).toEqual([korean.id]);
    expect((await list({ search: '🎤 불렀어요' })).edges.map((e: any) => e.node.id)).toEqual([korean.id]);
    // Markup is not searchable text: 'b>' and 'strong' are tag names, not words of the body.
    expect((await list({ search: 'b>', authorId: dave.user.id })).totalCount).toBe(0);
    expect((await list({ search: 'encore', concertId })).totalCount).toBe(2);
    expect(codeOf(await gql(stack, ARTICLES, { filter: { search: 'x'.repeat(101) } }))).toBe('BAD_USER_INPUT');
  });

  it('should serve 50 articles with author, concert, counts and viewer flags in a constant number of database round trips', async () => {
    const erin = await signUp(stack);
    const concert = await createConcert(stack, admin.token, 'Round Trip Live');
    const created: string[] = [];
    for (let batch = 0; batch < 5; batch += 1) {
      const ids = await Promise.all(
        Array.from({ length: 10 }, (_, i) => createArticle(stack, erin.token, { title: `Load ${batch * 10 + i}`, concertId: concert.id }).then((a) => a.id)),
      );
      created.push(...ids);
    }
    await Promise.all(created.slice(0, 7).map((id) => ok(stack, LIKE, { id }, { token: alice.token })));
    await Promise.all(created.slice(0, 3).map((id) => ok(stack, ADD_COMMENT, { articleId: id, body: 'nice' }, { token: bob.token })));
    await Promise.all(created.slice(5, 9).map((id) => ok(stack, BOOKMARK, { id }, { token: alice.token })));

    const measure = async (first: number) => {
      stack.commands.reset();
      stack.fetches.reset();
      const { articles } = await ok(stack, ARTICLES, { filter: { concertId: concert.id }, first }, { token: alice.token });
      const count = (domain: string) => stack.commands.byDomain(domain).length;
      return { articles, articlesDb: count('articles'), usersDb: count('users'), concertsDb: count('concerts'), fetches: [...stack.fetches.list].sort() };
    };
    const small = await measure(5);
    const large = await measure(50);
    expect(large.articles.edges).toHaveLength(50);
    expect(large.articles.totalCount).toBe(50);
    const byId = new Map(large.articles.edges.map((e: any) => [e.node.id, e.node]));
    for (const [i, id] of created.entries()) {
      const node: any = byId.get(id);
      expect(node.author).toEqual({ id: erin.user.id, nickname: erin.nickname, avatarUrl: null });
      expect(node.concert).toEqual({ id: concert.id, title: 'Round Trip Live' });
      expect(node.likeCount).toBe(i < 7 ? 1 : 0);
      expect(node.viewerHasLiked).toBe(i < 7);
      expect(node.commentCount).toBe(i < 3 ? 1 : 0);
      expect(node.viewerHasBookmarked).toBe(i >= 5 && i < 9);
    }
    // page + count + likes $group + comments $group + viewer likes + viewer bookmarks; where `$in`
    // scans and an equality does not (FerretDB on PostgreSQL) the two $group run per article.
    const perArticle = (n: number) => (n <= equalityReadsFor(stack.features) ? 2 * (n - 1) : 0);
    expect(large.articlesDb - perArticle(50)).toBeLessThanOrEqual(6);
    expect(large.articlesDb - perArticle(50)).toBe(small.articlesDb - perArticle(5));
    expect(large.usersDb).toBe(small.usersDb);
    expect(large.usersDb).toBeLessThanOrEqual(1);
    expect(large.concertsDb).toBe(small.concertsDb);
    expect(large.concertsDb).toBeLessThanOrEqual(1);
    expect(large.fetches).toEqual(['articles', 'concerts', 'users']);
  });
});

describe('an interrupted article delete', () => {
  it('should hide the article at once and finish the cascade when a server starts', async () => {
    const article = await createArticle(stack, alice.token, { title: 'Half deleted' });
    const { addComment } = await ok(stack, ADD_COMMENT, { articleId: article.id, body: 'orphan?' }, { token: bob.token });
    await ok(stack, LIKE, { id: article.id }, { token: bob.token });
    await ok(stack, BOOKMARK, { id: article.id }, { token: bob.token });
    const bookmarksBefore = (await ok(stack, MY_BOOKMARKS, { first: 100 }, { token: bob.token })).me.bookmarkedArticles.totalCount;

    // A crash right after the first step of deleteArticle: the article is marked, nothing else ran.
    const db = stack.mongo.db('articles');
    const articleId = new ObjectId(article.id);
    await db.collection('articles').updateOne({ _id: articleId }, { $set: { deletedAt: new Date() } });

    expect((await ok(stack, ARTICLE, { id: article.id })).article).toBeNull();
    const listed = (await ok(stack, ARTICLES, { filter: { authorId: alice.user.id }, first: 100 })).articles;
    expect(listed.edges.map((e: any) => e.node.id)).not.toContain(article.id);
    const marks = (await ok(stack, MY_BOOKMARKS, { first: 100 }, { token: bob.token })).me.bookmarkedArticles;
    expect(marks.edges.map((e: any) => e.node.id)).not.toContain(article.id);
    expect(marks.totalCount).toBe(bookmarksBefore - 1);
    expect(codeOf(await gql(stack, LIKE, { id: article.id }, { token: bob.token }))).toBe('NOT_FOUND');
    expect(codeOf(await gql(stack, ADD_COMMENT, { articleId: article.id, body: 'late' }, { token: bob.token }))).toBe('NOT_FOUND');
    expect(codeOf(await gql(stack, DELETE_COMMENT, { id: addComment.id }, { token: bob.token }))).toBe('NOT_FOUND');
    expect(codeOf(await gql(stack, DELETE, { id: article.id }, { token: alice.token }))).toBe('NOT_FOUND');

    // Another instance starting up completes the cascade.
    const env = {
      MONGODB_URI: inject('mongoUri'),
      REDIS_URL: inject('redisUrl'),
      MONGODB_DB_PREFIX: stack.prefix,
      IDENTITY_SECRET: stack.identitySecret,
      NODE_ENV: 'test',
    };
    const features = await detectMongoFeatures(stack.mongo.client, stack.mongo.db('features'));
    const logger = createLogger('articles-recovery', 'silent');
    const server = await createArticlesServer({ config: loadBaseConfig(env), env, logger, mongo: stack.mongo, redis: stack.redis, features });
    await server.close();
    for (const name of ['comments', 'likes', 'bookmarks']) expect(await db.collection(name).countDocuments({ articleId })).toBe(0);
    expect(await db.collection('articles').countDocuments({ _id: articleId })).toBe(0);
    expect((await ok(stack, MY_BOOKMARKS, { first: 100 }, { token: bob.token })).me.bookmarkedArticles.totalCount).toBe(bookmarksBefore - 1);
  });
});
