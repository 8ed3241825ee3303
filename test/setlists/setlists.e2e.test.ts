import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { loadContract } from '@stagelives/schema/tooling';
import { codeOf, gql, ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';

const operations = loadContract().filter((op) => op.file === 'setlists.graphql' || op.file === 'concerts.graphql');
const contract = (name: string) => {
  const op = operations.find((o) => o.name === name);
  if (!op) throw new Error(`no contract operation ${name}`);
  return op;
};

let stack: Stack;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
let fan: Awaited<ReturnType<typeof signUp>>;
let concertId: string;
beforeAll(async () => {
  stack = await startStack();
  [admin, fan] = await Promise.all([signUpAdmin(stack), signUp(stack)]);
  const { createConcert } = await ok(stack, contract('CreateConcert').source, contract('CreateConcert').variables, { token: admin.token });
  concertId = createConcert.id;
});
afterAll(() => stack?.close());

describe('setlists through the router', () => {
  it('should let admins publish a setlist with the contract operation, songs numbered and playlists normalised', async () => {
    const { source, variables } = contract('UpsertSetlist');
    const vars = { ...variables, concertId };
    expect(codeOf(await gql(stack, source, vars))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(stack, source, vars, { token: fan.token }))).toBe('FORBIDDEN');
    const { upsertSetlist } = await ok(stack, source, vars, { token: admin.token });
    expect(upsertSetlist.songs).toEqual([
      { order: 1, title: 'Love wins all', artist: 'IU' },
      { order: 2, title: 'Blueming', artist: null },
    ]);
    expect(upsertSetlist.playlists).toEqual([
      { provider: 'YOUTUBE_MUSIC', url: 'https://music.youtube.com/playlist?list=PLabc123', externalId: 'PLabc123' },
      { provider: 'SPOTIFY', url: 'https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M', externalId: '37i9dQZF1DXcBWIGoYBM5M' },
    ]);

    // Concert.setlist comes from the setlists subgraph, the rest from concerts.
    stack.fetches.reset();
    const { concert } = await ok(stack, contract('Setlist').source, { concertId });
    expect(concert.id).toBe(concertId);
    expect(concert.setlist).toMatchObject({ id: upsertSetlist.id, songs: upsertSetlist.songs, playlists: upsertSetlist.playlists });
    expect(new Date(concert.setlist.updatedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect([...stack.fetches.list].sort()).toEqual(['concerts', 'setlists']);
  });

  it('should leave exactly one setlist when admins upsert a new one in parallel', async () => {
    const { createConcert } = await ok(stack, contract('CreateConcert').source, contract('CreateConcert').variables, { token: admin.token });
    const { source } = contract('UpsertSetlist');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        gql(stack, source, { concertId: createConcert.id, input: { songs: [{ title: `Song ${i}` }], playlistUrls: [] } }, { token: admin.token }),
      ),
    );
    expect(results.map((r) => r.errors)).toEqual(results.map(() => undefined));
    expect(new Set(results.map((r) => r.data?.upsertSetlist.id)).size).toBe(1);
    expect(
      await stack.mongo
        .db('setlists')
        .collection('setlists')
        .countDocuments({ concertId: new ObjectId(createConcert.id) }),
    ).toBe(1);
  });

  it('should replace the setlist on a second upsert, folding links to one playlist into one', async () => {
    const { source } = contract('UpsertSetlist');
    const input = {
      songs: [{ title: '  Palette  ', artist: 'IU feat. G-DRAGON' }],
      playlistUrls: [
        'https://open.spotify.com/intl-ko/playlist/37i9dQZF1DXcBWIGoYBM5M?si=abc123',
        'spotify:playlist:37i9dQZF1DXcBWIGoYBM5M',
        'https://music.youtube.com/watch?v=abc&list=OLAK5uy_kR0SG7ZqBvI7vXeGnOdpZ4j8l3b4Xb8qE&si=x',
      ],
    };
    const { upsertSetlist } = await ok(stack, source, { concertId, input }, { token: admin.token });
    expect(upsertSetlist.songs).toEqual([{ order: 1, title: 'Palette', artist: 'IU feat. G-DRAGON' }]);
    expect(upsertSetlist.playlists.map((p: { url: string }) => p.url)).toEqual([
      'https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M',
      'https://music.youtube.com/playlist?list=OLAK5uy_kR0SG7ZqBvI7vXeGnOdpZ4j8l3b4Xb8qE',
    ]);
    const { concert } = await ok(stack, contract('Setlist').source, { concertId });
    expect(concert.setlist.id).toBe(upsertSetlist.id);
    expect(concert.setlist.songs).toHaveLength(1);
  });

  it.each([
    [
      'input.playlistUrls[1]',
      { songs: [{ title: 'A' }], playlistUrls: ['https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M', 'https://soundcloud.com/someone/sets/tour'] },
    ],
    ['input.playlistUrls[0]', { songs: [], playlistUrls: ['https://open.spotify.com/album/37i9dQZF1DXcBWIGoYBM5M'] }],
    ['input.songs[1].title', { songs: [{ title: 'A' }, { title: '   ' }] }],
    ['input.songs[0].title', { songs: [{ title: 't'.repeat(201) }] }],
    ['input.songs[0].artist', { songs: [{ title: 'A', artist: 'a'.repeat(101) }] }],
    ['input.songs', { songs: Array.from({ length: 101 }, (_, i) => ({ title: `Song ${i}` })) }],
    ['concertId', { songs: [] }, 'not-an-id'],
  ])('should refuse bad %s with BAD_USER_INPUT naming it, and keep the stored setlist', async (field, input, id?: string) => {
    const res = await gql(stack, contract('UpsertSetlist').source, { concertId: id ?? concertId, input }, { token: admin.token });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
    if (field === 'input.playlistUrls[1]') expect(res.errors?.[0]?.message).toContain('https://soundcloud.com/someone/sets/tour');
    const { concert } = await ok(stack, contract('Setlist').source, { concertId });
    expect(concert.setlist.songs).toEqual([{ order: 1, title: 'Palette', artist: 'IU feat. G-DRAGON' }]);
  });

  it('should answer the Concert contract operation, with the fields other subgraphs add', async () => {
    const { concert } = await ok(stack, contract('Concert').source, { id: concertId }, { token: fan.token });
    expect(concert).toMatchObject({ id: concertId, title: 'Spring Tour Seoul', artist: 'IU', status: 'UPCOMING', likeCount: 0, viewerHasLiked: false });
    expect(concert.setlist.songs).toHaveLength(1);
    expect(concert.articles).toEqual({ totalCount: 0, edges: [] });
    expect(concert).toHaveProperty('chatRoom'); // the chat subgraph's; answered without errors
  });

  it('should delete a setlist with the contract operation, admins only, idempotently', async () => {
    const { source } = contract('DeleteSetlist');
    expect(codeOf(await gql(stack, source, { concertId }, { token: fan.token }))).toBe('FORBIDDEN');
    expect((await ok(stack, source, { concertId }, { token: admin.token })).deleteSetlist).toBe(true);
    expect((await ok(stack, source, { concertId }, { token: admin.token })).deleteSetlist).toBe(false);
    expect((await ok(stack, contract('Setlist').source, { concertId })).concert).toEqual({ id: concertId, setlist: null });
  });

  it('should remove the setlist of a deleted concert, through the concert.deleted event', async () => {
    const { createConcert } = await ok(stack, contract('CreateConcert').source, contract('CreateConcert').variables, { token: admin.token });
    const { source, variables } = contract('UpsertSetlist');
    await ok(stack, source, { ...variables, concertId: createConcert.id }, { token: admin.token });
    const stored = stack.mongo.db('setlists').collection('setlists');
    const count = () => stored.countDocuments({ concertId: new ObjectId(createConcert.id) });
    expect(await count()).toBe(1);
    await ok(stack, contract('DeleteConcert').source, { id: createConcert.id }, { token: admin.token });
    const deadline = Date.now() + 5_000;
    while ((await count()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toBe(0);
  });
});
