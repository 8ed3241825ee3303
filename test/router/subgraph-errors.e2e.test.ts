import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, gql, ok, signUpAdmin, startStack, type Stack } from '../support/harness.js';

/** What a client sees when a subgraph refuses a request the gateway passed on. */
describe('subgraph errors through the router', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('should answer a bad custom-scalar variable with BAD_USER_INPUT and the field, never the subgraph’s URL or raw answer', async () => {
    // The gateway cannot check DateTime values: the concerts subgraph refuses the variable (HTTP 400).
    const res = await gql(stack, 'query($filter: ConcertFilter) { concerts(first: 1, filter: $filter) { totalCount } }', { filter: { from: 'yesterday' } });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/filter/);
    expect(res.errors![0]!.message).toMatch(/yesterday/);
    const text = JSON.stringify(res.errors);
    expect(text).not.toMatch(/127\.0\.0\.1|localhost|"response"|statusText/);
    expect(res.data?.concerts ?? null).toBeNull();
  });

  it('should answer a bad custom-scalar literal with GRAPHQL_VALIDATION_FAILED and the subgraph’s message, nothing internal', async () => {
    const res = await gql(stack, '{ concerts(first: 1, filter: { from: "yesterday" }) { totalCount } }');
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0]!.message).toMatch(/yesterday/);
    expect(JSON.stringify(res.errors)).not.toMatch(/127\.0\.0\.1|localhost|"response"|statusText|failed to answer/);
  });

  it('should still run the same query with a valid DateTime', async () => {
    const res = await gql(stack, 'query($filter: ConcertFilter) { concerts(first: 1, filter: $filter) { totalCount } }', {
      filter: { from: '2030-01-01T00:00:00.000Z' },
    });
    expect(res.errors).toBeUndefined();
    expect(typeof res.data?.concerts.totalCount).toBe('number');
  });

  it('should answer a subgraph’s HTTP 502–504 as SUBGRAPH_UNAVAILABLE naming it, with the other subgraphs’ fields, and its 500 as an internal error', async () => {
    const admin = await signUpAdmin(stack);
    await ok(
      stack,
      'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
      { input: { title: 'Status show', artist: 'IU', venue: 'KSPO Dome', startsAt: new Date(Date.now() + 86_400_000).toISOString() } },
      { token: admin.token },
    );
    let status = 503;
    const fake: Server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end('down for maintenance'));
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const { port } = fake.address() as { port: number };
    const urls = Object.entries(stack.subgraphUrls).map(([name, url]) => `${name}=${name === 'setlists' ? `http://127.0.0.1:${port}/graphql` : url}`);
    const router = await stack.extraRouter({ SUBGRAPH_URLS: urls.join(','), RESPONSE_CACHE: 'off', SUBGRAPH_BREAKER_FAILURES: '100' });
    try {
      const page = '{ concerts(first: 1) { edges { node { id title setlist { id } } } } }';
      for (const code of [502, 503, 504]) {
        status = code;
        const res = await gql(router, page);
        expect(res.data?.concerts.edges[0].node).toMatchObject({ title: expect.any(String), setlist: null });
        expect(res.errors).toHaveLength(1);
        expect(res.errors![0]!.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'setlists', reason: 'unavailable' });
        expect(JSON.stringify(res.errors)).not.toMatch(/127\.0\.0\.1|maintenance|http:/);
      }
      status = 500;
      const res = await gql(router, page);
      expect(res.data?.concerts.edges[0].node.setlist).toBeNull();
      expect(codeOf(res)).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await router.close();
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});
