import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';

const CREATE = 'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id title status } }';
const concertInput = (n: number) => ({
  title: `Tour night ${n}`,
  artist: 'IU',
  venue: 'KSPO Dome',
  startsAt: new Date(Date.UTC(2031, 0, 1 + n, 10)).toISOString(),
});

let stack: Stack;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
beforeAll(async () => {
  stack = await startStack();
  admin = await signUpAdmin(stack);
});
afterAll(() => stack?.close());

describe('concerts through the router', () => {
  it('should let only admins create concerts', async () => {
    expect(codeOf(await gql(stack, CREATE, { input: concertInput(0) }))).toBe('UNAUTHENTICATED');
    const fan = await signUp(stack);
    expect(codeOf(await gql(stack, CREATE, { input: concertInput(0) }, { token: fan.token }))).toBe('FORBIDDEN');
    const { createConcert } = await ok(stack, CREATE, { input: concertInput(0) }, { token: admin.token });
    expect(createConcert).toMatchObject({ title: 'Tour night 0', status: 'UPCOMING' });
  });

  it('should page through concerts with cursors, without gaps or duplicates', async () => {
    for (let n = 1; n <= 4; n += 1) await ok(stack, CREATE, { input: concertInput(n) }, { token: admin.token });
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { concerts }: { concerts: any } = await ok(stack, 'query($after: String) { concerts(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { title } } } }', { after });
      expect(concerts.totalCount).toBe(5);
      seen.push(...concerts.edges.map((e: { node: { title: string } }) => e.node.title));
      if (!concerts.pageInfo.hasNextPage) break;
      after = concerts.pageInfo.endCursor;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4].map((n) => `Tour night ${n}`));
  });

  it('should resolve Concert.createdBy from the users subgraph in one extra fetch', async () => {
    stack.fetches.reset();
    const { concerts } = await ok(stack, '{ concerts(first: 5) { edges { node { title createdBy { id nickname } } } } }');
    expect(concerts.edges).toHaveLength(5);
    for (const edge of concerts.edges) expect(edge.node.createdBy).toEqual({ id: admin.user.id, nickname: admin.nickname });
    expect([...stack.fetches.list].sort()).toEqual(['concerts', 'users']);
  });

  it('should refuse invalid input with BAD_USER_INPUT', async () => {
    const res = await gql(stack, CREATE, { input: { ...concertInput(9), endsAt: '2031-01-01T00:00:00Z' } }, { token: admin.token });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(stack, '{ concerts(after: "bogus") { totalCount } }'))).toBe('BAD_USER_INPUT');
  });
});
