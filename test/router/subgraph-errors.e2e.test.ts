import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, gql, startStack, type Stack } from '../support/harness.js';

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
    const res = await gql(stack, 'query($filter: ConcertFilter) { concerts(first: 1, filter: $filter) { totalCount } }', { filter: { from: '2030-01-01T00:00:00.000Z' } });
    expect(res.errors).toBeUndefined();
    expect(typeof res.data?.concerts.totalCount).toBe('number');
  });
});
