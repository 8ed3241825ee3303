import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { scratchSuite } from '@stagelives/devkit';
import { createArticlesRepositories, ensureArticlesIndexes, type ArticlesRepositories } from '../src/repositories.js';

describe('articles repositories on FerretDB', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri') });
  let repos: ArticlesRepositories;
  beforeAll(async () => {
    repos = createArticlesRepositories(scratch.db('articles'), false);
  });

  it('should keep the index names of existing databases, also on a restart', async () => {
    await ensureArticlesIndexes(repos);
    await ensureArticlesIndexes(repos); // a restart: must neither fail nor drop the connection
    const names = async (col: string) => (await scratch.db('articles').collection(col).listIndexes().toArray()).map((i) => i.name).sort();
    expect(await names('articles')).toEqual([
      '_id_',
      'author_createdAt_id',
      'concert_createdAt_id',
      'createdAt_id',
      'deletedAt_sparse',
      'hiddenAt_sparse',
      'tags_createdAt_id',
    ]);
    expect(await names('comments')).toEqual(['_id_', 'article_createdAt_id']);
    for (const col of ['likes', 'bookmarks']) expect(await names(col)).toEqual(['_id_', 'article_user_unique', 'user_createdAt_id']);
  });

  it('should store likes and bookmarks as { articleId, userId, createdAt }, one per (article, user)', async () => {
    const [articleId, userId] = [new ObjectId(), new ObjectId()];
    expect(await repos.bookmarks.add(articleId, userId)).toBe(true);
    expect(await repos.bookmarks.add(articleId, userId)).toBe(false);
    const stored = await scratch.db('articles').collection('bookmarks').find({ userId }).toArray();
    expect(stored).toHaveLength(1);
    expect(Object.keys(stored[0]!).sort()).toEqual(['_id', 'articleId', 'createdAt', 'userId']);
    expect(stored[0]!.articleId).toEqual(articleId);
  });

  it("should read the first page and the count of many concerts' articles in two commands, skipping articles being deleted", async () => {
    const concerts = [new ObjectId(), new ObjectId(), new ObjectId()];
    const base = Date.UTC(2031, 0, 1);
    const insert = (concertId: ObjectId, n: number, extra: Record<string, unknown> = {}) =>
      repos.articles.insert({
        title: `${concerts.indexOf(concertId)}-${n}`,
        body: 'b',
        bodyText: 'b',
        tags: [],
        concertId,
        authorId: new ObjectId(),
        createdAt: new Date(base + n * 1000),
        updatedAt: new Date(base),
        ...extra,
      });
    for (let n = 0; n < 5; n += 1) await insert(concerts[0]!, n);
    await insert(concerts[1]!, 0);
    await insert(concerts[0]!, 9, { deletedAt: new Date() });

    const pages = await repos.articles.firstPagesByConcerts(concerts, 2);
    const byConcert = new Map(pages.map((p) => [p.concertId.toHexString(), p]));
    expect(pages).toHaveLength(2);
    const first = byConcert.get(concerts[0]!.toHexString())!;
    expect(first.count).toBe(5);
    // The newest two with their documents, and a third row that only tells that more follow.
    expect(first.rows.map((r) => r.doc?.title ?? null)).toEqual(['0-4', '0-3', null]);
    expect(first.rows[2]!.createdAt).toEqual(new Date(base + 2000));
    expect(byConcert.get(concerts[1]!.toHexString())).toMatchObject({ count: 1, rows: [{ doc: { title: '1-0' } }] });
    expect(Object.fromEntries(await repos.articles.countByConcerts(concerts))).toEqual({ [concerts[0]!.toHexString()]: 5, [concerts[1]!.toHexString()]: 1 });
    expect(await repos.articles.firstPagesByConcerts([], 2)).toEqual([]);
  });
});
