import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';

// In-flight de-duplication of subgraph fetches (router/src/dedupe-fetch.ts), with the response
// cache off so every request reaches the data source.

const PAGE = 'query Page { concerts(first: 20) { totalCount edges { node { id title likeCount viewerHasLiked } } } }';
let stack: Stack;
let off: Awaited<ReturnType<Stack['extraRouter']>>;
let concertId: string;

beforeAll(async () => {
  stack = await startStack({ RESPONSE_CACHE: 'off' });
  off = { url: stack.url } as typeof off;
  const admin = await signUpAdmin(stack);
  for (let n = 0; n < 3; n += 1) {
    const { createConcert } = await ok(
      stack,
      'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
      { input: { title: `Dedupe ${n}`, artist: 'A', venue: 'V', startsAt: new Date(Date.UTC(2037, 0, 1, n)).toISOString() } },
      { token: admin.token },
    );
    concertId = createConcert.id;
  }
});
afterAll(() => stack?.close());

describe('subgraph fetch de-duplication', () => {
  it('should send one subgraph request for a burst of identical anonymous reads, each answered in full', async () => {
    stack.subgraphRequests.reset();
    const answers = await Promise.all(Array.from({ length: 30 }, () => gql(off, PAGE)));
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual(answers[0]!.data);
    }
    expect(answers[0]!.data?.concerts.totalCount).toBe(3);
    expect(stack.subgraphRequests.byName.concerts).toBeLessThan(30);
    expect(stack.subgraphRequests.byName.concerts).toBeGreaterThan(0);
  });

  it("should never share a signed-in viewer's fetch with another request", async () => {
    const [alice, bob] = [await signUp(stack), await signUp(stack)];
    await ok(stack, 'mutation($id: ID!) { likeConcert(id: $id) { id } }', { id: concertId }, { token: alice.token });
    stack.subgraphRequests.reset();
    const runs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => gql(off, PAGE, {}, i % 3 === 2 ? {} : { token: (i % 3 === 0 ? alice : bob).token }).then((res) => ({ i, res }))),
    );
    for (const { i, res } of runs) {
      const liked = res.data?.concerts.edges.find((e: { node: { id: string } }) => e.node.id === concertId)?.node.viewerHasLiked;
      expect(liked).toBe(i % 3 === 0);
    }
    // Seven signed-in requests each went to the subgraph.
    expect(stack.subgraphRequests.byName.concerts).toBeGreaterThanOrEqual(7);
  });
});
