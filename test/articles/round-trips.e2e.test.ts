import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { equalityReadsFor, pointReadsFor } from '@stagelives/platform';
import { commandKind, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { createArticle, createConcert } from './fixtures.js';

/** Concert.articles over a page of concerts: batched in the articles subgraph, whatever the page size. */
const WITH_EDGES = `query($first: Int) {
  concerts(first: $first) { edges { node { id articles(first: 3) { totalCount edges { node { title } } } } } }
}`;
const COUNT_ONLY = 'query($first: Int) { concerts(first: $first) { edges { node { id articles { totalCount } } } } }';
const CONCERT_PAGE = `query($id: ID!, $first: Int, $after: String) {
  concert(id: $id) { articles(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { title } } } }
}`;

let stack: Stack;
const concertIds: string[] = [];
/** Visible titles per concert id, newest first. */
const titles = new Map<string, string[]>();
beforeAll(async () => {
  stack = await startStack();
  const admin = await signUpAdmin(stack);
  const fan = await signUp(stack);
  for (let i = 0; i < 50; i += 1) concertIds.push((await createConcert(stack, admin.token, `Batch ${i}`)).id);
  // Concert i gets i % 6 articles (0 to 5), posted one after the other so the newest is the last.
  await Promise.all(
    concertIds.map(async (concertId, i) => {
      const posted: string[] = [];
      for (let n = 0; n < i % 6; n += 1) posted.unshift((await createArticle(stack, fan.token, { title: `C${i} A${n}`, concertId })).title);
      titles.set(concertId, posted);
    }),
  );
  // A deleted article and one whose delete was interrupted are neither counted nor listed.
  const db = stack.mongo.db('articles');
  const gone = await createArticle(stack, fan.token, { title: 'Deleted', concertId: concertIds[5]! });
  await ok(stack, 'mutation($id: ID!) { deleteArticle(id: $id) }', { id: gone.id }, { token: fan.token });
  const half = await createArticle(stack, fan.token, { title: 'Half deleted', concertId: concertIds[11]! });
  await db.collection('articles').updateOne({ _id: new ObjectId(half.id) }, { $set: { deletedAt: new Date() } });
});
afterAll(() => stack?.close());

async function measure(query: string, first: number) {
  stack.commands.reset();
  const { concerts } = await ok(stack, query, { first });
  const events = stack.commands.byDomain('articles');
  return { nodes: concerts.edges.map((e: any) => e.node), commands: events.map((e) => e.commandName).sort(), kinds: events.map(commandKind).sort() };
}

/** Commands a batch over `concerts` concerts takes: one, or one per concert where the server answers an equality from an index and `$in` by a scan (FerretDB on PostgreSQL). */
const perBatch = (concerts: number) => (concerts <= equalityReadsFor(stack.features) ? concerts : 1);

describe('Concert.articles over a list of concerts', () => {
  it('should read the counts and the newest three of every concert in the same queries for 5 and 50 concerts (point reads by id and one find per concert where $in scans)', async () => {
    const small = await measure(WITH_EDGES, 5);
    const large = await measure(WITH_EDGES, 50);
    expect(small.nodes).toHaveLength(5);
    expect(large.nodes).toHaveLength(50);
    for (const node of large.nodes) {
      const expected = titles.get(node.id)!;
      expect(node.articles.totalCount).toBe(expected.length);
      expect(node.articles.edges.map((e: any) => e.node.title)).toEqual(expected.slice(0, 3));
    }
    // 121 articles: more keys than a default first batch (101), still one find.
    expect(large.nodes.map((n: any) => n.articles.totalCount).reduce((a: number, b: number) => a + b, 0)).toBe(121);
    // One find of the sort keys of every concert's articles (counted there; one per concert on
    // FerretDB on PostgreSQL), then the page documents: one find, or one point read per article
    // where `$in` scans (FerretDB).
    for (const [m, first] of [
      [small, 5],
      [large, 50],
    ] as const) {
      const points = m.kinds.filter((k) => k === 'point').length;
      expect(m.kinds.filter((k) => k !== 'point')).toEqual(Array(perBatch(first) + (points ? 0 : 1)).fill('find'));
      expect(points).toBeLessThanOrEqual(pointReadsFor(stack.features));
    }
  });

  it('should count with one $group (one per concert where $in scans) and read no article when only totalCount is selected', async () => {
    const small = await measure(COUNT_ONLY, 5);
    const large = await measure(COUNT_ONLY, 50);
    for (const node of large.nodes) expect(node.articles.totalCount).toBe(titles.get(node.id)!.length);
    expect(large.commands).toEqual(Array(perBatch(50)).fill('aggregate'));
    expect(small.commands).toEqual(Array(perBatch(5)).fill('aggregate'));
  });

  it('should page one concert newest first, the first page batched and the next ones after the cursor', async () => {
    const concertId = concertIds[5]!;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { concert }: { concert: any } = await ok(stack, CONCERT_PAGE, { id: concertId, first: 2, after });
      expect(concert.articles.totalCount).toBe(5);
      seen.push(...concert.articles.edges.map((e: any) => e.node.title));
      expect(concert.articles.pageInfo.endCursor).toBe(concert.articles.edges.at(-1)?.cursor ?? null);
      if (!concert.articles.pageInfo.hasNextPage) break;
      after = concert.articles.pageInfo.endCursor;
    }
    expect(seen).toEqual(titles.get(concertId));
    const empty = await ok(stack, CONCERT_PAGE, { id: concertId, first: 0 });
    expect(empty.concert.articles).toMatchObject({ totalCount: 5, edges: [], pageInfo: { hasNextPage: true } });
    const none = await ok(stack, CONCERT_PAGE, { id: concertIds[0]!, first: 3 });
    expect(none.concert.articles).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });
});
