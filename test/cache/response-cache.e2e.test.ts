import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { publishConcertEvents, concertEvent } from '@stagelives/schema';
import { CacheStore } from '../../router/src/response-cache/index.js';
import { gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';

// Response cache through the real router, FerretDB and Redis: hits, purges, scopes, instances.

const PAGE = `query Page($first: Int) { concerts(first: $first) { totalCount edges { node { id title likeCount } } } }`;
const PAGE_VIEWER = `query PageViewer($first: Int) { concerts(first: $first) { edges { node { id title likeCount viewerHasLiked } } } }`;
const CONCERT = `query One($id: ID!) { concert(id: $id) { id title likeCount status } }`;

let stack: Stack;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
const concertIds: string[] = [];

const cacheStatus = (res: { headers: Headers }) => res.headers.get('x-stagelives-cache');
const subgraphRequests = () => Object.values(stack.subgraphRequests.byName).reduce((a, b) => a + b, 0);

async function createConcert(title: string, hour: number) {
  const { createConcert } = await ok(
    stack,
    'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
    { input: { title, artist: 'Cache Band', venue: 'Hall', startsAt: new Date(Date.UTC(2036, 0, 1, hour)).toISOString() } },
    { token: admin.token },
  );
  return createConcert.id as string;
}

beforeAll(async () => {
  stack = await startStack();
  admin = await signUpAdmin(stack);
  for (let n = 0; n < 5; n += 1) concertIds.push(await createConcert(`Cached ${n}`, n));
});
afterAll(() => stack?.close());

describe('response cache', () => {
  it('should serve a repeated anonymous concert page from the cache with no subgraph request', async () => {
    const first = await gql(stack, PAGE, { first: 20 });
    expect(first.errors).toBeUndefined();
    expect(cacheStatus(first)).toBe('MISS');
    stack.subgraphRequests.reset();
    stack.commands.reset();
    const hitsBefore = stack.router.responseCache.stats.hits;
    const second = await gql(stack, PAGE, { first: 20 });
    expect(cacheStatus(second)).toBe('HIT');
    expect(second.data).toEqual(first.data);
    expect(subgraphRequests()).toBe(0);
    expect(stack.commands.byDomain('concerts')).toHaveLength(0);
    expect(stack.router.responseCache.stats.hits).toBe(hitsBefore + 1);
    // Clients and proxies keep nothing (purges cannot reach them).
    expect(second.headers.get('cache-control')).toBe('no-store');
    // Other variables are another entry.
    expect(cacheStatus(await gql(stack, PAGE, { first: 3 }))).toBe('MISS');
  });

  it('should show a like in the next read (purged by the mutation) and keep the other concerts cached', async () => {
    const id = concertIds[0]!;
    const fan = await signUp(stack);
    await gql(stack, CONCERT, { id });
    await gql(stack, CONCERT, { id: concertIds[1] });
    const before = await gql(stack, CONCERT, { id });
    expect(cacheStatus(before)).toBe('HIT');
    await ok(stack, 'mutation($id: ID!) { likeConcert(id: $id) { id } }', { id }, { token: fan.token });
    const after = await gql(stack, CONCERT, { id });
    expect(cacheStatus(after)).toBe('MISS');
    expect(after.data?.concert.likeCount).toBe(before.data?.concert.likeCount + 1);
    // A concert the like did not touch stays cached.
    expect(cacheStatus(await gql(stack, CONCERT, { id: concertIds[1] }))).toBe('HIT');
  });

  it('should show a concert edit in the next page read, and a new concert in the list', async () => {
    await gql(stack, PAGE, { first: 20 });
    expect(cacheStatus(await gql(stack, PAGE, { first: 20 }))).toBe('HIT');
    await ok(
      stack,
      'mutation($id: ID!, $input: UpdateConcertInput!) { updateConcert(id: $id, input: $input) { id } }',
      { id: concertIds[2], input: { title: 'Renamed live' } },
      { token: admin.token },
    );
    const edited = await gql(stack, PAGE, { first: 20 });
    expect(cacheStatus(edited)).toBe('MISS');
    expect(edited.data?.concerts.edges.map((e: { node: { title: string } }) => e.node.title)).toContain('Renamed live');
    const total = edited.data?.concerts.totalCount as number;
    await createConcert('Brand new', 30);
    const grown = await gql(stack, PAGE, { first: 20 });
    expect(cacheStatus(grown)).toBe('MISS');
    expect(grown.data?.concerts.totalCount).toBe(total + 1);
  });

  it('should purge within a second on a domain event written by someone else than this router (status job, other process)', async () => {
    const id = concertIds[3]!;
    await gql(stack, CONCERT, { id });
    expect(cacheStatus(await gql(stack, CONCERT, { id }))).toBe('HIT');
    // A write that did not go through the router: only its event tells. Change the stored title
    // directly, then publish the event a real writer would (the status job's status change).
    await stack.mongo
      .db('concerts')
      .collection('concerts')
      .updateOne({ _id: new ObjectId(id) }, { $set: { title: 'Changed behind the router' } });
    expect(cacheStatus(await gql(stack, CONCERT, { id }))).toBe('HIT');
    const published = Date.now();
    await publishConcertEvents(stack.redis, stack.env.REDIS_PREFIX!, [
      concertEvent('concert.status-changed', { concertId: id, from: 'UPCOMING', to: 'CANCELLED', cause: 'schedule' }),
    ]);
    let res = await gql(stack, CONCERT, { id });
    while (res.data?.concert.title !== 'Changed behind the router' && Date.now() - published < 1_000) {
      await new Promise((r) => setTimeout(r, 20));
      res = await gql(stack, CONCERT, { id });
    }
    expect(res.data?.concert.title).toBe('Changed behind the router');
    expect(Date.now() - published).toBeLessThan(1_000);
  });

  it('should show an article change and a new comment in the next read', async () => {
    const author = await signUp(stack);
    const { createArticle } = await ok(
      stack,
      'mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }',
      { input: { title: 'Cached article', body: '<p>first</p>', concertId: concertIds[0] } },
      { token: author.token },
    );
    const ARTICLE = 'query Article($id: ID!) { article(id: $id) { id title commentCount comments(first: 5) { edges { node { body author { nickname } } } } } }';
    const LIST = 'query Articles { articles(first: 5) { totalCount edges { node { title commentCount } } } }';
    await gql(stack, ARTICLE, { id: createArticle.id });
    await gql(stack, LIST);
    expect(cacheStatus(await gql(stack, ARTICLE, { id: createArticle.id }))).toBe('HIT');
    expect(cacheStatus(await gql(stack, LIST))).toBe('HIT');
    await ok(
      stack,
      'mutation($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { id } }',
      { id: createArticle.id, input: { title: 'Edited article' } },
      { token: author.token },
    );
    expect((await gql(stack, ARTICLE, { id: createArticle.id })).data?.article.title).toBe('Edited article');
    // The list selected no id: it is purged through its idless/type tags.
    expect((await gql(stack, LIST)).data?.articles.edges[0].node.title).toBe('Edited article');
    await ok(
      stack,
      'mutation($articleId: ID!) { addComment(articleId: $articleId, body: "<p>hello</p>") { id } }',
      { articleId: createArticle.id },
      { token: author.token },
    );
    const commented = await gql(stack, ARTICLE, { id: createArticle.id });
    expect(commented.data?.article.commentCount).toBe(1);
    expect(commented.data?.article.comments.edges[0].node.author.nickname).toBe(author.nickname);
    expect((await gql(stack, LIST)).data?.articles.edges[0].node.commentCount).toBe(1);
  });

  it("should never give one viewer another viewer's viewer-dependent answer", async () => {
    const [alice, bob] = [await signUp(stack), await signUp(stack)];
    const id = concertIds[4]!;
    await ok(stack, 'mutation($id: ID!) { likeConcert(id: $id) { id } }', { id }, { token: alice.token });
    const liked = (res: { data?: any }) => res.data?.concerts.edges.find((e: { node: { id: string } }) => e.node.id === id)?.node.viewerHasLiked;
    for (let round = 0; round < 2; round += 1) {
      const a = await gql(stack, PAGE_VIEWER, { first: 20 }, { token: alice.token });
      const b = await gql(stack, PAGE_VIEWER, { first: 20 }, { token: bob.token });
      const anon = await gql(stack, PAGE_VIEWER, { first: 20 });
      expect(liked(a)).toBe(true);
      expect(liked(b)).toBe(false);
      expect(liked(anon)).toBe(false);
      // Signed-in viewer fields bypass the cache; anonymous ones share the "no viewer" answer.
      expect(cacheStatus(a)).toBe('BYPASS');
      expect(cacheStatus(b)).toBe('BYPASS');
      expect(cacheStatus(anon)).toBe(round === 0 ? 'MISS' : 'HIT');
    }
    // `me` and the private email: per viewer, never shared.
    const ME = '{ me { id nickname email } }';
    const meA = await gql(stack, ME, {}, { token: alice.token });
    const meB = await gql(stack, ME, {}, { token: bob.token });
    expect(meA.data?.me.id).toBe(alice.user.id);
    expect(meB.data?.me.id).toBe(bob.user.id);
    expect(cacheStatus(meB)).toBe('BYPASS');
    // A user's public profile may be shared, but not the email only its owner sees.
    const USER = 'query U($id: ID!) { user(id: $id) { id nickname email } }';
    const own = await gql(stack, USER, { id: alice.user.id }, { token: alice.token });
    const other = await gql(stack, USER, { id: alice.user.id }, { token: bob.token });
    const anonymous = await gql(stack, USER, { id: alice.user.id });
    expect(own.data?.user.email).toBe(alice.email);
    expect(other.data?.user.email).toBeNull();
    expect(anonymous.data?.user.email).toBeNull();
    expect((await gql(stack, USER, { id: alice.user.id }, { token: bob.token })).data?.user.email).toBeNull();
  });

  it('should share a public answer between signed-in and anonymous requests', async () => {
    const fan = await signUp(stack);
    const Q = 'query Titles { concerts(first: 2) { edges { node { id title } } } }';
    expect(cacheStatus(await gql(stack, Q, {}, { token: fan.token }))).toBe('MISS');
    expect(cacheStatus(await gql(stack, Q))).toBe('HIT');
    expect(cacheStatus(await gql(stack, Q, {}, { token: fan.token }))).toBe('HIT');
  });

  it('should share one cache between router instances: a purge by one is seen by the other', async () => {
    const other = await stack.extraRouter();
    try {
      // Article likes have no event stream: only the purge by the router that ran the mutation tells.
      const author = await signUp(stack);
      const { createArticle } = await ok(
        stack,
        'mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }',
        { input: { title: 'Shared', body: '<p>x</p>' } },
        { token: author.token },
      );
      const Q = 'query A($id: ID!) { article(id: $id) { id likeCount } }';
      await gql(stack, Q, { id: createArticle.id });
      const fromOther = await gql(other, Q, { id: createArticle.id });
      expect(cacheStatus(fromOther)).toBe('HIT');
      await ok(other, 'mutation($id: ID!) { likeArticle(id: $id) { id } }', { id: createArticle.id }, { token: author.token });
      const fresh = await gql(stack, Q, { id: createArticle.id });
      expect(cacheStatus(fresh)).toBe('MISS');
      expect(fresh.data?.article.likeCount).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('should not store an answer read before a purge of what it holds', async () => {
    const id = concertIds[2]!;
    const store = new CacheStore(stack.redis, stack.env.REDIS_PREFIX!);
    const { now: startedAt } = await store.lookup('race-probe');
    await store.purge([`Concert:${id}`]);
    expect(await store.store('race-probe', { data: { stale: true }, scope: 'PUBLIC' }, [`Concert:${id}`], 60_000, startedAt)).toBe(false);
    const later = await store.lookup('race-probe');
    expect(later.raw).toBeNull();
    expect(await store.store('race-probe', { data: { fresh: true }, scope: 'PUBLIC' }, [`Concert:${id}`], 60_000, later.now + 1)).toBe(true);
  });
});

describe('RESPONSE_CACHE=off', () => {
  it('should call the subgraphs for every read', async () => {
    const off = await stack.extraRouter({ RESPONSE_CACHE: 'off' });
    try {
      await gql(off, PAGE, { first: 20 });
      stack.subgraphRequests.reset();
      const res = await gql(off, PAGE, { first: 20 });
      expect(res.errors).toBeUndefined();
      expect(cacheStatus(res)).toBeNull();
      expect(stack.subgraphRequests.byName.concerts).toBe(1);
      expect(off.router.responseCache.enabled).toBe(false);
    } finally {
      await off.close();
    }
  });
});
