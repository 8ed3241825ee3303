/**
 * Seeds the side-by-side benchmark's data straight into the subgraphs' databases, in bulk
 * (`insertMany`, 1,000 documents a command): through the API, 20,000 articles would each be one
 * sanitised insert and 5,000 sign-ups one argon2 hash apiece. Every document has the exact shape
 * its repository writes (see each `*.type.ts` / `*.repository.ts`; the same fields, types and
 * derived keys: `artistKey`, `effectiveEndsAt`, computed `status`, `emailLower`/`nicknameLower`,
 * `bodyText`, link documents keyed by their parent field). Passwords share one real argon2 hash,
 * taken from a user signed up through the API. Deterministic (seeded PRNG) apart from ObjectIds.
 *
 * Also creates sessions for a set of users the way the users subgraph does (`SessionStore`), for
 * the signed-in scenarios: bearer tokens for the router, and the identity the router would sign
 * for each (long-lived and bound to a fixed request id) for the peers and the subgraphs called
 * directly.
 */
import { ObjectId, type Db } from 'mongodb';
import { SessionStore, loadBaseConfig } from '@stagelives/platform';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, signIdentity, type Role } from '@stagelives/schema';
import { effectiveEndOf, effectiveStatus, invalidateConcertCounts, startsWeekOf } from '@stagelives/concerts/status';
import { ok, signUp, type Stack } from '../../support/stack.js';

export interface SeedCounts {
  concerts: number;
  users: number;
  articles: number;
  comments: number;
  /** Comments per article on the articles that have comments. */
  commentsPerArticle: number;
  concertLikes: number;
  articleLikes: number;
  /** Share of concerts with a setlist. */
  setlistShare: number;
  /** Users with a session (signed-in scenarios). */
  sessions: number;
}

export const DEFAULT_COUNTS: SeedCounts = {
  concerts: 2_000,
  users: 5_000,
  articles: 20_000,
  comments: 20_000,
  commentsPerArticle: 20,
  concertLikes: 20_000,
  articleLikes: 20_000,
  setlistShare: 0.5,
  sessions: 200,
};

export interface SessionUser {
  userId: string;
  token: string;
  /** Headers a peer or a subgraph gets instead of the bearer token: what the router would sign. */
  identityHeaders: Record<string, string>;
}

export interface Seeded {
  counts: SeedCounts;
  concertIds: string[];
  userIds: string[];
  /** Articles with `commentsPerArticle` comments. */
  commentedArticleIds: string[];
  sessions: SessionUser[];
  seconds: number;
}

/** The collections `seed` fills, by database. */
const SEEDED = { users: ['users'], concerts: ['concerts', 'likes'], setlists: ['setlists'], articles: ['articles', 'comments', 'likes'] } as const;

/**
 * Empties what `seed` filled (indexes stay), so the benchmarks that run after it on the same
 * stack (the chat fan-out) read the collections they always did: FerretDB scans whole collections.
 */
export async function unseed(stack: Stack): Promise<void> {
  for (const [db, collections] of Object.entries(SEEDED)) {
    for (const name of collections) await stack.mongo.db(db).collection(name).deleteMany({});
  }
  await invalidateConcertCounts(stack.redis, stack.env.REDIS_PREFIX!);
}

/** mulberry32: a small deterministic PRNG. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

async function insertAll(db: Db, collection: string, docs: object[]): Promise<void> {
  const col = db.collection(collection);
  for (let i = 0; i < docs.length; i += 1000) await col.insertMany(docs.slice(i, i + 1000), { ordered: false });
}

const ARTISTS = [
  'IU',
  'BTS',
  'NewJeans',
  'Seventeen',
  'Twice',
  'Stray Kids',
  'aespa',
  'Le Sserafim',
  'Ive',
  'Day6',
  'Zico',
  'Taeyeon',
  'Big Bang',
  'Epik High',
  'Jannabi',
  'Hyukoh',
];
const VENUES = ['KSPO Dome', 'Olympic Hall', 'Gocheok Sky Dome', 'Jamsil Stadium', 'Blue Square', 'YES24 Live Hall', 'Inspire Arena', 'Bexco'];
const SONGS = [
  'Blueming',
  'Palette',
  'Eight',
  'Dynamite',
  'Ditto',
  'Hype Boy',
  'Fearless',
  'Love Dive',
  'Celebrity',
  'Spring Day',
  'Butter',
  'Attention',
  'OMG',
  'Super Shy',
  'Drama',
];
const TAGS = ['review', 'setlist', 'tickets', 'merch', 'fancam', 'travel', 'encore', 'photos'];
const WORDS = 'the encore was unreal and the crowd sang every word while the band played three extra songs under the lights'.split(' ');

/**
 * `total` distinct (parent, user) links in a UserLinkRepository's shape (`<field>`, `userId`,
 * `createdAt` in the last 90 days): the first parents get the most (a popular head), every user a few.
 */
export function likeDocs(r: ReturnType<typeof prng>, userIds: readonly ObjectId[], now: number, total: number, parents: readonly ObjectId[], field: string) {
  const seen = new Set<string>();
  const docs: Array<Record<string, unknown>> = [];
  while (docs.length < total) {
    const parent = parents[Math.min(parents.length - 1, Math.floor(parents.length * r.next() ** 2))]!;
    const user = userIds[r.int(userIds.length)]!;
    const key = `${parent.toHexString()}${user.toHexString()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    docs.push({ [field]: parent, userId: user, createdAt: new Date(now - r.int(90 * 86_400_000)) });
  }
  return docs;
}

const sentence = (r: ReturnType<typeof prng>, n: number) => Array.from({ length: n }, () => r.pick(WORDS)).join(' ');
const spotifyId = (r: ReturnType<typeof prng>) =>
  Array.from({ length: 22 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[r.int(62)]).join('');

export async function seed(stack: Stack, counts: SeedCounts = DEFAULT_COUNTS): Promise<Seeded> {
  const started = Date.now();
  const r = prng(12);
  const now = new Date();
  const DAY = 86_400_000;

  // One real account through the API: its argon2 hash is every seeded user's hash.
  const model = await signUp(stack);
  const usersDb = stack.mongo.db('users');
  const modelDoc = await usersDb.collection('users').findOne({ _id: new ObjectId(model.user.id) });
  const passwordHash = modelDoc?.passwordHash as string;

  // --- users (users subgraph: UserDocument) ---
  const userIds = Array.from({ length: counts.users }, () => new ObjectId());
  const staff = userIds.slice(0, Math.min(50, Math.floor(counts.users / 2)));
  await insertAll(
    usersDb,
    'users',
    userIds.map((_id, i) => {
      const email = `bench-fan-${i}@example.com`;
      const nickname = `benchfan${i}`;
      const roles: Role[] = i < staff.length ? ['USER', 'ADMIN'] : ['USER'];
      const createdAt = new Date(now.getTime() - (counts.users - i) * 60_000);
      return {
        _id,
        email,
        emailLower: email,
        nickname,
        nicknameLower: nickname.toLowerCase(),
        passwordHash,
        avatarUrl: i % 3 === 0 ? `https://cdn.example.com/avatars/${i}.png` : null,
        roles,
        createdAt,
        updatedAt: createdAt,
      };
    }),
  );

  // --- concerts (concerts subgraph: ConcertDocument, status computed as ConcertService.create does) ---
  const concertIds = Array.from({ length: counts.concerts }, () => new ObjectId());
  await insertAll(
    stack.mongo.db('concerts'),
    'concerts',
    concertIds.map((_id, i) => {
      const artist = ARTISTS[i % ARTISTS.length]!;
      // From a year ago to two years ahead: every status occurs; the first page is the oldest.
      const startsAt = new Date(now.getTime() - 365 * DAY + Math.floor((i * 3 * 365 * DAY) / counts.concerts) + r.int(DAY));
      const endsAt = i % 2 ? new Date(startsAt.getTime() + 3 * 3600_000) : null;
      const ticketOpenAt = i % 3 ? new Date(startsAt.getTime() - 30 * DAY) : null;
      const createdAt = new Date(startsAt.getTime() - 60 * DAY);
      const doc = {
        _id,
        title: `${artist} tour ${i}`,
        description: i % 4 ? `${sentence(r, 12)}.` : null,
        artist,
        artistKey: artist.toLowerCase(),
        venue: VENUES[i % VENUES.length]!,
        startsAt,
        startsWeek: startsWeekOf(startsAt),
        endsAt,
        effectiveEndsAt: effectiveEndOf(startsAt, endsAt),
        ticketOpenAt,
        posterUrl: i % 5 ? `https://cdn.example.com/posters/${i}.jpg` : null,
        status: 'UPCOMING' as const,
        createdBy: staff[i % staff.length]!,
        createdAt,
        updatedAt: createdAt,
      };
      return { ...doc, status: i % 97 === 0 ? 'CANCELLED' : effectiveStatus(doc, now) };
    }),
  );

  // --- concert likes (UserLinkRepository(db, 'likes', 'concertId')): unique (concert, user) ---
  const linkDocs = (total: number, parents: ObjectId[], field: string) => likeDocs(r, userIds, now.getTime(), total, parents, field);
  const concertLikes = linkDocs(counts.concertLikes, concertIds, 'concertId') as Array<{ concertId: ObjectId }>;
  await insertAll(stack.mongo.db('concerts'), 'likes', concertLikes);
  // Each concert's stored like count, as likeConcert keeps it; and no list count cached from before.
  const likesOf = new Map<string, number>();
  for (const like of concertLikes) likesOf.set(like.concertId.toHexString(), (likesOf.get(like.concertId.toHexString()) ?? 0) + 1);
  // One updateOne each, 20 at a time: FerretDB 1.24 never answers a bulkWrite of many updates.
  const concerts = stack.mongo.db('concerts').collection('concerts');
  for (let i = 0; i < concertIds.length; i += 20) {
    await Promise.all(concertIds.slice(i, i + 20).map((_id) => concerts.updateOne({ _id }, { $set: { likeCount: likesOf.get(_id.toHexString()) ?? 0 } })));
  }
  await invalidateConcertCounts(stack.redis, stack.env.REDIS_PREFIX!);

  // --- setlists (setlists subgraph: SetlistDocument, one per concert) ---
  const withSetlist = concertIds.filter((_, i) => i % Math.round(1 / counts.setlistShare) === 0);
  await insertAll(
    stack.mongo.db('setlists'),
    'setlists',
    withSetlist.map((concertId, i) => {
      const id = spotifyId(r);
      const createdAt = new Date(now.getTime() - r.int(30 * DAY));
      return {
        concertId,
        songs: Array.from({ length: 12 + (i % 8) }, (_, k) => ({ order: k + 1, title: r.pick(SONGS), artist: k % 7 === 6 ? r.pick(ARTISTS) : null })),
        playlists: [{ provider: 'SPOTIFY', url: `https://open.spotify.com/playlist/${id}`, externalId: id }],
        createdAt,
        updatedAt: createdAt,
      };
    }),
  );

  // --- articles (articles subgraph: ArticleDocument; body is sanitised HTML, bodyText its text) ---
  const articlesDb = stack.mongo.db('articles');
  const articleIds = Array.from({ length: counts.articles }, () => new ObjectId());
  const articleCreated = (i: number) => new Date(now.getTime() - (counts.articles - i) * 120_000);
  await insertAll(
    articlesDb,
    'articles',
    articleIds.map((_id, i) => {
      const text = `${sentence(r, 30)}.`;
      const createdAt = articleCreated(i);
      const tags = [...new Set([r.pick(TAGS), r.pick(TAGS)])];
      return {
        _id,
        title: `Night ${i}: ${sentence(r, 4)}`,
        body: `<p>${text}</p>`,
        bodyText: text,
        tags,
        // Most are about a concert, more about the first ones (the page the scenarios read).
        concertId: i % 10 === 9 ? null : concertIds[i % 20 === 0 ? r.int(40) : r.int(concertIds.length)]!,
        authorId: userIds[r.int(userIds.length)]!,
        createdAt,
        updatedAt: createdAt,
      };
    }),
  );

  // --- comments (CommentDocument): `commentsPerArticle` on the newest articles ---
  const commented = articleIds.slice(-Math.ceil(counts.comments / counts.commentsPerArticle)).reverse();
  const comments: object[] = [];
  for (const [a, articleId] of commented.entries()) {
    const base = articleCreated(counts.articles - 1 - a).getTime();
    for (let k = 0; k < counts.commentsPerArticle && comments.length < counts.comments; k += 1) {
      const createdAt = new Date(base + (k + 1) * 1000);
      comments.push({ articleId, authorId: userIds[r.int(userIds.length)]!, body: `<p>${sentence(r, 10)}</p>`, createdAt, updatedAt: createdAt });
    }
  }
  await insertAll(articlesDb, 'comments', comments);

  // --- article likes (UserLinkRepository(db, 'likes', 'articleId')) ---
  await insertAll(articlesDb, 'likes', linkDocs(counts.articleLikes, articleIds, 'articleId'));

  // --- sessions for the signed-in scenarios (users 50…: not staff) ---
  const store = SessionStore.fromConfig(stack.redis, loadBaseConfig(stack.env));
  const sessions: SessionUser[] = [];
  for (let i = 0; i < Math.min(counts.sessions, userIds.length - staff.length); i += 1) {
    const userId = userIds[staff.length + i]!.toHexString();
    const { token, session } = await store.create(userId, ['USER']);
    const requestId = `bench-${i}-${session.id.slice(0, 8)}`;
    sessions.push({
      userId,
      token,
      identityHeaders: {
        [REQUEST_ID_HEADER]: requestId,
        [IDENTITY_HEADER]: signIdentity({ userId, roles: ['USER'], sessionId: session.id }, { secret: stack.identitySecret, requestId, ttlSeconds: 6 * 3600 }),
      },
    });
  }

  // Sanity: the API sees the seeded graph.
  const check = await ok<{ concerts: { totalCount: number } }>(stack, '{ concerts(first: 1) { totalCount } }');
  if (check.concerts.totalCount !== counts.concerts) throw new Error(`seeded ${counts.concerts} concerts, the API counts ${check.concerts.totalCount}`);

  return {
    counts,
    concertIds: concertIds.map((id) => id.toHexString()),
    userIds: userIds.map((id) => id.toHexString()),
    commentedArticleIds: commented.slice(0, Math.floor(comments.length / counts.commentsPerArticle)).map((id) => id.toHexString()),
    sessions,
    seconds: (Date.now() - started) / 1000,
  };
}
