import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTICLES, FANS, ROOMS, bookmarksArticle, concerts, likesArticle, likesConcert } from '../../scripts/seed/data.js';
import { seed, type SeedResult } from '../../scripts/seed/seed.js';
import { ok, startStack, type Stack } from '../support/harness.js';

let stack: Stack;
const lines: string[] = [];
let first: SeedResult;
beforeAll(async () => {
  // The seed signs in as the development admin; the test stack's high rate limits stay.
  stack = await startStack({ ADMIN_EMAILS: 'admin@stagelives.dev' });
  first = await seed(stack.url, { log: (line) => lines.push(line) });
}, 240_000);
afterAll(() => stack?.close());

const count = (n: number, test: (a: number, b: number) => boolean) =>
  FANS.reduce((sum, _f, f) => sum + Array.from({ length: n }, (_x, i) => i).filter((i) => test(f, i)).length, 0);

describe('npm run seed', () => {
  it('should load every account, concert, setlist, article, comment, like, bookmark, room and message of the demo data', () => {
    const data = concerts();
    expect(first).toEqual({
      accounts: 1 + FANS.length,
      concerts: data.length,
      setlists: data.filter((c) => c.setlist).length,
      concertLikes: count(data.length, likesConcert),
      articles: ARTICLES.length,
      comments: ARTICLES.reduce((n, a) => n + a.comments.length, 0),
      articleLikes: count(ARTICLES.length, likesArticle),
      bookmarks: count(ARTICLES.length, bookmarksArticle),
      rooms: ROOMS.length,
      memberships: ROOMS.reduce((n, r) => n + new Set(r.members.filter((m) => m !== r.creator)).size, 0),
      messages: ROOMS.reduce((n, r) => n + r.messages.length, 0),
    });
    expect(data.length).toBeGreaterThanOrEqual(24);
    expect(data.filter((c) => c.ticketOpenAt).length).toBeGreaterThan(5);
  });

  it('should show the data to an anonymous reader through GraphQL and REST', async () => {
    const res = await ok(
      stack,
      '{ concerts(first: 5) { totalCount edges { node { title setlist { songs { title } playlists { provider } } } } } articles(first: 5) { totalCount edges { node { title commentCount likeCount } } } chatRooms(first: 50) { edges { node { name memberCount lastMessage { body } } } } }',
    );
    expect(res.concerts.totalCount).toBe(concerts().length);
    expect(res.articles.totalCount).toBe(ARTICLES.length);
    expect(res.chatRooms.edges).toHaveLength(ROOMS.length);
    expect(res.chatRooms.edges.every((e: { node: { lastMessage: unknown } }) => e.node.lastMessage)).toBe(true);
    const rest = await fetch(`${stack.baseUrl}/concert?limit=100`);
    expect(rest.status).toBe(200);
    const body = (await rest.json()) as { data: Array<{ title: string }> };
    expect(body.data.map((c) => c.title).sort()).toEqual(
      concerts()
        .map((c) => c.title)
        .sort(),
    );
  });

  it('should create nothing on a second run', async () => {
    const before = await ok(stack, '{ concerts(first: 0) { totalCount } articles(first: 0) { totalCount } }');
    const again = await seed(stack.url, { log: (line) => lines.push(line) });
    expect(
      Object.values(again).every((n) => n === 0),
      JSON.stringify(again),
    ).toBe(true);
    expect(await ok(stack, '{ concerts(first: 0) { totalCount } articles(first: 0) { totalCount } }')).toEqual(before);
    expect(lines.at(-1)).toMatch(/nothing created/);
  }, 240_000);
});
