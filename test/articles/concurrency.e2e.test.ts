import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { ok, signUp, startStack, type Stack } from '../support/harness.js';
import { BOOKMARK, LIKE, UNBOOKMARK, UNLIKE, createArticle } from './fixtures.js';

const ADD_COMMENT = 'mutation AddComment($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { id } }';
const STATE =
  'query($id: ID!) { article(id: $id) { likeCount commentCount viewerHasLiked viewerHasBookmarked comments(first: 100) { totalCount edges { node { id } } } } }';
const MY_BOOKMARKS = 'query { me { bookmarkedArticles(first: 10) { totalCount edges { node { id } } } } }';

type Fan = Awaited<ReturnType<typeof signUp>>;
let stack: Stack;
let fans: Fan[];
beforeAll(async () => {
  stack = await startStack();
  fans = await Promise.all(Array.from({ length: 12 }, () => signUp(stack)));
});
afterAll(() => stack?.close());

const shuffled = <T>(items: T[]) =>
  items
    .map((v) => [Math.random(), v] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => v);

describe('likes, bookmarks and comments under concurrency', () => {
  it('should count likes exactly when many fans like and unlike in parallel, repeatedly', async () => {
    const article = await createArticle(stack, fans[0]!.token, { title: 'Popular' });
    // Every fan likes three times at once: 36 requests, 12 likes.
    const first = await Promise.all(shuffled(fans.flatMap((f) => [f, f, f])).map((f) => ok(stack, LIKE, { id: article.id }, { token: f.token })));
    for (const res of first) {
      expect(res.likeArticle.viewerHasLiked).toBe(true);
      expect(res.likeArticle.likeCount).toBeGreaterThanOrEqual(1);
      expect(res.likeArticle.likeCount).toBeLessThanOrEqual(12);
    }
    expect((await ok(stack, STATE, { id: article.id })).article.likeCount).toBe(12);

    // Half unlike (three times each) while the other half like again (twice each), all at once.
    const leaving = fans.slice(0, 6);
    const staying = fans.slice(6);
    const mixed = shuffled([
      ...leaving.flatMap((f) => [f, f, f]).map((f) => ({ f, op: UNLIKE })),
      ...staying.flatMap((f) => [f, f]).map((f) => ({ f, op: LIKE })),
    ]);
    await Promise.all(mixed.map(({ f, op }) => ok(stack, op, { id: article.id }, { token: f.token })));
    expect((await ok(stack, STATE, { id: article.id })).article.likeCount).toBe(6);
    for (const f of fans) {
      const { article: seen } = await ok(stack, STATE, { id: article.id }, { token: f.token });
      expect(seen.viewerHasLiked).toBe(staying.includes(f));
    }
    expect(
      await stack.mongo
        .db('articles')
        .collection('likes')
        .countDocuments({ articleId: new ObjectId(article.id) }),
    ).toBe(6);

    // Each fan toggles like/unlike in parallel: whatever order they land in, the count matches the stored likes.
    await Promise.all(
      shuffled(
        fans.flatMap((f) => [
          { f, op: LIKE },
          { f, op: UNLIKE },
          { f, op: LIKE },
        ]),
      ).map(({ f, op }) => ok(stack, op, { id: article.id }, { token: f.token })),
    );
    const stored = await stack.mongo
      .db('articles')
      .collection('likes')
      .countDocuments({ articleId: new ObjectId(article.id) });
    let likedByFlags = 0;
    for (const f of fans) if ((await ok(stack, STATE, { id: article.id }, { token: f.token })).article.viewerHasLiked) likedByFlags += 1;
    expect((await ok(stack, STATE, { id: article.id })).article.likeCount).toBe(stored);
    expect(likedByFlags).toBe(stored);
  });

  it('should keep one bookmark per fan however often it is sent at once', async () => {
    const article = await createArticle(stack, fans[1]!.token, { title: 'Keep this' });
    const fan = fans[2]!;
    const results = await Promise.all(Array.from({ length: 10 }, () => ok(stack, BOOKMARK, { id: article.id }, { token: fan.token })));
    for (const r of results) expect(r.bookmarkArticle.viewerHasBookmarked).toBe(true);
    const mine = (await ok(stack, MY_BOOKMARKS, {}, { token: fan.token })).me.bookmarkedArticles;
    expect(mine.totalCount).toBe(1);
    expect(mine.edges.map((e: any) => e.node.id)).toEqual([article.id]);
    await Promise.all(Array.from({ length: 5 }, () => ok(stack, UNBOOKMARK, { id: article.id }, { token: fan.token })));
    expect((await ok(stack, MY_BOOKMARKS, {}, { token: fan.token })).me.bookmarkedArticles.totalCount).toBe(0);
    expect((await ok(stack, STATE, { id: article.id }, { token: fan.token })).article.viewerHasBookmarked).toBe(false);
  });

  it('should count every comment posted at once', async () => {
    const article = await createArticle(stack, fans[3]!.token, { title: 'Discuss' });
    await Promise.all(
      fans.flatMap((f, i) => [
        ok(stack, ADD_COMMENT, { articleId: article.id, body: `a${i}` }, { token: f.token }),
        ok(stack, ADD_COMMENT, { articleId: article.id, body: `b${i}` }, { token: f.token }),
      ]),
    );
    const { article: seen } = await ok(stack, STATE, { id: article.id });
    expect(seen.commentCount).toBe(24);
    expect(seen.comments.totalCount).toBe(24);
    expect(new Set(seen.comments.edges.map((e: any) => e.node.id)).size).toBe(24);
  });
});
