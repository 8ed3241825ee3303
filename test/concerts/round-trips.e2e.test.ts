import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { equalityReadsFor } from '@stagelives/platform';
import { commandKind, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';

const LIST = `query($first: Int) {
  concerts(first: $first, filter: { from: "2035-01-01T00:00:00Z" }) {
    totalCount
    edges { node { id likeCount viewerHasLiked setlist { id songs { order title } playlists { url } } } }
  }
}`;

let stack: Stack;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
let fan: Awaited<ReturnType<typeof signUp>>;
const ids: string[] = [];
beforeAll(async () => {
  stack = await startStack();
  admin = await signUpAdmin(stack);
  fan = await signUp(stack);
  const other = await signUp(stack);
  for (let n = 0; n < 50; n += 1) {
    const { createConcert } = await ok(
      stack,
      'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
      { input: { title: `Perf ${n}`, artist: 'IU', venue: 'Hall', startsAt: new Date(Date.UTC(2035, 0, 1, n)).toISOString() } },
      { token: admin.token },
    );
    ids.push(createConcert.id);
  }
  // Every third concert liked by the fan, every second by another user, every fifth has a setlist.
  await Promise.all([
    ...ids.filter((_, i) => i % 3 === 0).map((id) => ok(stack, 'mutation($id: ID!) { likeConcert(id: $id) { id } }', { id }, { token: fan.token })),
    ...ids.filter((_, i) => i % 2 === 0).map((id) => ok(stack, 'mutation($id: ID!) { likeConcert(id: $id) { id } }', { id }, { token: other.token })),
    ...ids
      .filter((_, i) => i % 5 === 0)
      .map((concertId) =>
        ok(
          stack,
          'mutation($concertId: ID!, $input: SetlistInput!) { upsertSetlist(concertId: $concertId, input: $input) { id } }',
          { concertId, input: { songs: [{ title: 'Opening' }], playlistUrls: ['https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M'] } },
          { token: admin.token },
        ),
      ),
  ]);
});
afterAll(() => stack?.close());

/** Queries for the setlists of `concerts` concerts: one, or one per concert where the server answers an equality from an index and `$in` by a scan. */
const setlistReads = (concerts: number) => (concerts <= equalityReadsFor(stack.features) ? concerts : 1);

describe('concert list cost', () => {
  async function measure(first: number) {
    stack.commands.reset();
    stack.fetches.reset();
    const { concerts } = await ok(stack, LIST, { first }, { token: fan.token });
    const names = (domain: string) =>
      stack.commands
        .byDomain(domain)
        .map((e) => e.commandName)
        .sort();
    return { concerts, concertsCommands: names('concerts'), setlistsCommands: names('setlists'), fetches: [...stack.fetches.list].sort() };
  }

  it('should answer 50 concerts with likeCount, viewerHasLiked and setlist in a constant number of round trips per subgraph', async () => {
    const small = await measure(5);
    const large = await measure(50);

    expect(large.concerts.totalCount).toBe(50);
    expect(large.concerts.edges).toHaveLength(50);
    large.concerts.edges.forEach(({ node }: { node: any }, i: number) => {
      expect(node.id).toBe(ids[i]);
      expect(node.likeCount).toBe((i % 3 === 0 ? 1 : 0) + (i % 2 === 0 ? 1 : 0));
      expect(node.viewerHasLiked).toBe(i % 3 === 0);
      expect(node.setlist === null).toBe(i % 5 !== 0);
    });

    // concerts: the page and the viewer's likes (like counts are stored on the concerts), and the
    // count (an aggregate on FerretDB) only the first time: the second list reads it from Redis.
    // Where pages are read week by week (FerretDB on PostgreSQL) the first list also builds the
    // week histogram (an aggregate, then cached); all 50 concerts start in one week: one find.
    // setlists: one $in query, or one equality per concert where `$in` scans (FerretDB on PostgreSQL).
    const weekly = equalityReadsFor(stack.features) > 0;
    expect(small.concertsCommands).toEqual(weekly ? ['aggregate', 'aggregate', 'find', 'find'] : ['aggregate', 'find', 'find']);
    expect(large.concertsCommands).toEqual(['find', 'find']);
    expect(large.setlistsCommands).toEqual(Array(setlistReads(50)).fill('find'));
    expect(large.fetches).toEqual(['concerts', 'setlists']);
    expect(small.setlistsCommands).toEqual(Array(setlistReads(5)).fill('find'));
  });

  it('should count again after a concert is created, and keep the count while only likes change', async () => {
    const count = async () => {
      stack.commands.reset();
      const { concerts } = await ok(stack, LIST, { first: 1 });
      return { totalCount: concerts.totalCount, counted: stack.commands.byDomain('concerts').some((e) => e.commandName !== 'find') };
    };
    expect((await count()).counted).toBe(false);
    await ok(stack, 'mutation($id: ID!) { likeConcert(id: $id) { likeCount } }', { id: ids[1] }, { token: fan.token });
    expect(await count()).toEqual({ totalCount: 50, counted: false });
    const { createConcert } = await ok(
      stack,
      'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
      { input: { title: 'Perf extra', artist: 'IU', venue: 'Hall', startsAt: '2035-03-01T00:00:00Z' } },
      { token: admin.token },
    );
    expect(await count()).toEqual({ totalCount: 51, counted: true });
    await ok(stack, 'mutation($id: ID!) { deleteConcert(id: $id) }', { id: createConcert.id }, { token: admin.token });
    expect(await count()).toEqual({ totalCount: 50, counted: true });
    expect(await count()).toEqual({ totalCount: 50, counted: false });
    await ok(stack, 'mutation($id: ID!) { unlikeConcert(id: $id) { likeCount } }', { id: ids[1] }, { token: fan.token });
  });

  it('should resolve Concert.createdBy from the users subgraph in one extra fetch', async () => {
    stack.fetches.reset();
    const { concerts } = await ok(
      stack,
      '{ concerts(first: 50, filter: { from: "2035-01-01T00:00:00Z" }) { edges { node { id createdBy { id nickname } } } } }',
    );
    expect(concerts.edges).toHaveLength(50);
    for (const { node } of concerts.edges) expect(node.createdBy).toEqual({ id: admin.user.id, nickname: admin.nickname });
    expect([...stack.fetches.list].sort()).toEqual(['concerts', 'users']);
  });

  it('should batch likedConcerts the same way', async () => {
    stack.commands.reset();
    const { me } = await ok(
      stack,
      '{ me { likedConcerts(first: 50) { totalCount edges { node { id likeCount viewerHasLiked setlist { id } } } } } }',
      {},
      { token: fan.token },
    );
    expect(me.likedConcerts.totalCount).toBe(17);
    expect(me.likedConcerts.edges.every((e: any) => e.node.viewerHasLiked)).toBe(true);
    // likes page + count, the concerts by id, the viewer's likes. On a server whose `$in` scans the
    // collection (FerretDB) the concerts are 17 point reads by `_id`; elsewhere one `$in`.
    const kinds = stack.commands.byDomain('concerts').map(commandKind);
    const points = kinds.filter((k) => k === 'point').length;
    expect(points === 0 || points === 17).toBe(true);
    expect(kinds.filter((k) => k !== 'point').sort()).toEqual(points ? ['aggregate', 'find', 'find'] : ['aggregate', 'find', 'find', 'find']);
    expect(stack.commands.byDomain('setlists').map((e) => e.commandName)).toEqual(Array(setlistReads(17)).fill('find'));
  });
});
