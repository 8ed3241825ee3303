/**
 * `npx tsx test/bench/db-probe.ts`: our hot query shapes against FerretDB on each backend, at
 * bench scale (test/bench/peers/seed.ts DEFAULT_COUNTS: 2,000 concerts, 5,000 users, 20,000
 * articles, 20,000 comments over 1,000 articles, 20,000 likes each of concerts and articles),
 * one client, one query at a time: ms per query, median and p95. The queries are the
 * repositories' own methods (what the subgraphs send), on the indexes their `ensureIndexes`
 * create, with the features `detectMongoFeatures` finds on that server. The table it prints is
 * the one in docs/ferretdb.md ("Hot queries, measured").
 *
 * Environment:
 *   DB_PROBE_BACKENDS  comma-separated, in this order by default: `postgresql` (a private server
 *                      with devkit's GIN companions), `postgresql-plain` (the same without them:
 *                      FerretDB's own indexes only), `sqlite`. Those this machine cannot run are skipped.
 *   DB_PROBE_RUNS      timed runs per query (default 30), after 3 untimed ones; a query stops
 *                      earlier once DB_PROBE_BUDGET_MS (default 8000) is spent, after 5 runs at least
 *   DB_PROBE_SCALE     multiplies every count (default 1)
 *   REDIS_URL          where the concert list cache lives (default redis://127.0.0.1:6379; keys under
 *                      a prefix of this run, deleted at the end)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId, type Db } from 'mongodb';
import {
  type Redis,
  UserLinkRepository,
  connectMongo,
  createRedis,
  detectMongoFeatures,
  equalityReadsFor,
  pointReadsFor,
  type Mongo,
} from '@stagelives/platform';
import { type ChildService, findPostgresBinDir, startFerretDB, startPostgres } from '@stagelives/devkit';
import { ArticleRepository } from '../../subgraphs/articles/src/article/article.repository.js';
import type { ArticleDocument } from '../../subgraphs/articles/src/article/article.type.js';
import { CommentRepository } from '../../subgraphs/articles/src/comment/comment.repository.js';
import type { CommentDocument } from '../../subgraphs/articles/src/comment/comment.type.js';
import { visibleFilter } from '../../subgraphs/articles/src/content/visibility.js';
import { ConcertCountCache } from '../../subgraphs/concerts/src/concert/concert-count.cache.js';
import { ConcertRepository } from '../../subgraphs/concerts/src/concert/concert.repository.js';
import { UserRepository } from '../../subgraphs/users/src/user/user.repository.js';
import { DEFAULT_COUNTS, likeDocs, prng } from './peers/seed.js';

const BACKENDS = ['postgresql', 'postgresql-plain', 'sqlite'] as const;
type Backend = (typeof BACKENDS)[number];

const RUNS = Number(process.env.DB_PROBE_RUNS ?? 30);
const BUDGET_MS = Number(process.env.DB_PROBE_BUDGET_MS ?? 8_000);
const SCALE = Number(process.env.DB_PROBE_SCALE ?? 1);
const wanted = (process.env.DB_PROBE_BACKENDS ?? BACKENDS.join(','))
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean) as Backend[];
for (const b of wanted) if (!BACKENDS.includes(b)) throw new Error(`DB_PROBE_BACKENDS: unknown backend ${b} (${BACKENDS.join(', ')})`);

const counts = {
  concerts: Math.round(DEFAULT_COUNTS.concerts * SCALE),
  users: Math.round(DEFAULT_COUNTS.users * SCALE),
  articles: Math.round(DEFAULT_COUNTS.articles * SCALE),
  comments: Math.round(DEFAULT_COUNTS.comments * SCALE),
  commentsPerArticle: DEFAULT_COUNTS.commentsPerArticle,
  concertLikes: Math.round(DEFAULT_COUNTS.concertLikes * SCALE),
  articleLikes: Math.round(DEFAULT_COUNTS.articleLikes * SCALE),
};

/** What the queries pick from: the seeded ids. */
interface Seeded {
  userIds: ObjectId[];
  concertIds: ObjectId[];
  articleIds: ObjectId[];
  /** Articles with `commentsPerArticle` comments. */
  commentedIds: ObjectId[];
  /** (concert, user) pairs that are liked. */
  concertLikes: Array<{ concertId: ObjectId; userId: ObjectId }>;
}

async function insertAll(db: Db, name: string, docs: object[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 1000) await db.collection(name).insertMany(docs.slice(i, i + 1000), { ordered: false });
}

/** The documents test/bench/peers/seed.ts writes, in the shapes the repositories write, without the API. */
async function seed(mongo: Mongo): Promise<Seeded> {
  const r = prng(26);
  const now = Date.now();
  const DAY = 86_400_000;
  const userIds = Array.from({ length: counts.users }, () => new ObjectId());
  await insertAll(
    mongo.db('users'),
    'users',
    userIds.map((_id, i) => ({
      _id,
      email: `probe-${i}@example.com`,
      emailLower: `probe-${i}@example.com`,
      nickname: `probe${i}`,
      nicknameLower: `probe${i}`,
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
      avatarUrl: null,
      roles: ['USER'],
      createdAt: new Date(now - i * 60_000),
      updatedAt: new Date(now - i * 60_000),
    })),
  );
  const concertIds = Array.from({ length: counts.concerts }, () => new ObjectId());
  await insertAll(
    mongo.db('concerts'),
    'concerts',
    concertIds.map((_id, i) => {
      const startsAt = new Date(now - 365 * DAY + Math.floor((i * 3 * 365 * DAY) / counts.concerts) + r.int(DAY));
      return {
        _id,
        title: `Artist ${i % 16} tour ${i}`,
        description: 'the encore was unreal and the crowd sang every word',
        artist: `Artist ${i % 16}`,
        artistKey: `artist ${i % 16}`,
        venue: 'KSPO Dome',
        startsAt,
        endsAt: null,
        effectiveEndsAt: new Date(startsAt.getTime() + 4 * 3600_000),
        ticketOpenAt: null,
        posterUrl: null,
        status: startsAt.getTime() > now ? 'UPCOMING' : 'COMPLETED',
        likeCount: 0,
        createdBy: userIds[i % 50]!,
        createdAt: new Date(startsAt.getTime() - 60 * DAY),
        updatedAt: new Date(startsAt.getTime() - 60 * DAY),
      };
    }),
  );
  const links = (total: number, parents: ObjectId[], field: string) => likeDocs(r, userIds, now, total, parents, field);
  const concertLikes = links(counts.concertLikes, concertIds, 'concertId');
  await insertAll(mongo.db('concerts'), 'likes', concertLikes);
  const articleIds = Array.from({ length: counts.articles }, () => new ObjectId());
  const created = (i: number) => new Date(now - (counts.articles - i) * 120_000);
  await insertAll(
    mongo.db('articles'),
    'articles',
    articleIds.map((_id, i) => ({
      _id,
      title: `Night ${i}`,
      body: '<p>the encore was unreal and the crowd sang every word while the band played</p>',
      bodyText: 'the encore was unreal and the crowd sang every word while the band played',
      tags: ['review'],
      concertId: i % 10 === 9 ? null : concertIds[i % 20 === 0 ? r.int(40) : r.int(concertIds.length)]!,
      authorId: userIds[r.int(userIds.length)]!,
      createdAt: created(i),
      updatedAt: created(i),
    })),
  );
  const commentedIds = articleIds.slice(-Math.ceil(counts.comments / counts.commentsPerArticle)).reverse();
  const comments: object[] = [];
  for (const [a, articleId] of commentedIds.entries()) {
    for (let k = 0; k < counts.commentsPerArticle && comments.length < counts.comments; k += 1) {
      const at = new Date(created(counts.articles - 1 - a).getTime() + (k + 1) * 1000);
      comments.push({ articleId, authorId: userIds[r.int(userIds.length)]!, body: '<p>so good</p>', createdAt: at, updatedAt: at });
    }
  }
  await insertAll(mongo.db('articles'), 'comments', comments);
  await insertAll(mongo.db('articles'), 'likes', links(counts.articleLikes, articleIds, 'articleId'));
  return {
    userIds,
    concertIds,
    articleIds,
    commentedIds,
    concertLikes: concertLikes.map((l) => ({ concertId: l.concertId as ObjectId, userId: l.userId as ObjectId })),
  };
}

/** A query as a repository sends it; `run(i)` picks its ids from the seeded ones by `i`. */
interface Shape {
  name: string;
  run(i: number): Promise<unknown>;
}

/** The repositories as the subgraphs build them for a server with these read limits (platform's pointReadsFor, equalityReadsFor). */
function shapes(mongo: Mongo, seeded: Seeded, pointReadsUpTo: number, equalityReadsUpTo: number, concerts: ConcertRepository): Shape[] {
  const articlesDb = mongo.db('articles');
  const comments = new CommentRepository(articlesDb, equalityReadsUpTo);
  const articles = new ArticleRepository(articlesDb, false, pointReadsUpTo, equalityReadsUpTo);
  const articleLikes = new UserLinkRepository(articlesDb, 'likes', 'articleId', equalityReadsUpTo);
  const concertLikes = new UserLinkRepository(mongo.db('concerts'), 'likes', 'concertId');
  const users = new UserRepository(mongo.db('users'), pointReadsUpTo);
  const pick = <T>(xs: readonly T[], i: number) => xs[(i * 7919) % xs.length]!;
  const twenty = <T>(xs: readonly T[], i: number) => Array.from({ length: 20 }, (_, k) => pick(xs, i * 20 + k));
  const now = new Date();
  return [
    { name: 'comments of an article, page of 20 (`CommentRepository.page`)', run: (i) => comments.page({ articleId: pick(seeded.commentedIds, i) }, 20) },
    { name: 'comment count of 1 article (`countByParents`)', run: (i) => comments.countByParents([pick(seeded.commentedIds, i)]) },
    { name: 'comment counts of 20 articles (`countByParents`)', run: (i) => comments.countByParents(twenty(seeded.commentedIds, i)) },
    { name: 'like count of 1 article (`UserLinkRepository.countByParents`)', run: (i) => articleLikes.countByParents([pick(seeded.articleIds, i)]) },
    { name: 'article by id (`ArticleRepository.findById`)', run: (i) => articles.findById(pick(seeded.articleIds, i)) },
    { name: '20 articles by id (`findByIds`)', run: (i) => articles.findByIds(twenty(seeded.articleIds, i)) },
    { name: 'user by id (`UserRepository.findById`)', run: (i) => users.findById(pick(seeded.userIds, i)) },
    { name: '20 users by id (`findByIds`: comment authors)', run: (i) => users.findByIds(twenty(seeded.userIds, i)) },
    { name: 'concert by id (`ConcertRepository.findById`)', run: (i) => concerts.findById(pick(seeded.concertIds, i)) },
    { name: 'concerts page of 20 by (startsAt, _id) (`ConcertRepository.page`)', run: () => concerts.page({ now }, 20) },
    { name: 'upcoming concerts, page of 20 (`ConcertRepository.page`, status UPCOMING)', run: () => concerts.page({ now, status: 'UPCOMING' }, 20) },
    { name: 'article counts of 20 concerts (`ArticleRepository.countByConcerts`)', run: (i) => articles.countByConcerts(twenty(seeded.concertIds, i)) },
    {
      name: "a concert's articles, page of 20 (`ArticleRepository.page`)",
      run: (i) => articles.page({ concertId: pick(seeded.concertIds.slice(0, 40), i) }, 20),
    },
    {
      name: 'viewer liked, 20 concerts (`UserLinkRepository.parentsAmong`)',
      run: (i) => concertLikes.parentsAmong(pick(seeded.userIds, i), twenty(seeded.concertIds, i)),
    },
    // The shapes these repositories sent before issue 26, for comparison: FerretDB pushes none of them down.
    {
      name: 'before: concerts page of 20 as one sorted query',
      run: () => concerts.collection.find({}).sort({ startsAt: 1, _id: 1 }).limit(21).toArray(),
    },
    {
      name: 'before: comments page with the article inside `$and`',
      run: (i) =>
        comments.collection
          .find({ $and: [{ articleId: { $eq: pick(seeded.commentedIds, i) } }, visibleFilter<CommentDocument>(null), {}] })
          .sort({ createdAt: 1, _id: 1 })
          .limit(21)
          .toArray(),
    },
    {
      name: 'before: article counts of 20 concerts in one `$in`',
      run: (i) =>
        articles.collection
          .aggregate([
            {
              $match: { $and: [{ concertId: { $in: twenty(seeded.concertIds, i) } }, { deletedAt: { $exists: false } }, visibleFilter<ArticleDocument>(null)] },
            },
            { $group: { _id: '$concertId', n: { $sum: 1 } } },
          ])
          .toArray(),
    },
    { name: 'before: 20 users by id in one `$in`', run: (i) => users.collection.find({ _id: { $in: twenty(seeded.userIds, i) } }).toArray() },
    {
      name: 'unlike + like again, by (concertId, userId) (`remove`, `add`)',
      run: async (i) => {
        const { concertId, userId } = pick(seeded.concertLikes, i);
        await concertLikes.remove(concertId, userId);
        await concertLikes.add(concertId, userId);
      },
    },
  ];
}

interface Timing {
  median: number;
  p95: number;
  runs: number;
}

async function time(shape: Shape): Promise<Timing> {
  for (let i = 0; i < 3; i += 1) await shape.run(1_000 + i);
  const ms: number[] = [];
  const started = performance.now();
  for (let i = 0; i < RUNS; i += 1) {
    const t = performance.now();
    await shape.run(i);
    ms.push(performance.now() - t);
    if (i >= 4 && performance.now() - started > BUDGET_MS) break;
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95), runs: ms.length };
}

/** FerretDB on `backend` with throwaway data under `dir`; the services in start order. */
async function start(backend: Backend, dir: string): Promise<ChildService[]> {
  if (backend === 'sqlite') return [await startFerretDB({ dataDir: join(dir, 'ferretdb') })];
  const postgres = await startPostgres({ dataDir: join(dir, 'postgres'), throwaway: true, indexCompanions: backend === 'postgresql' });
  try {
    return [postgres, await startFerretDB({ dataDir: join(dir, 'ferretdb'), postgresUrl: postgres.url })];
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

const redis: Redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const redisPrefix = `stagelives-probe:${randomBytes(4).toString('hex')}:`;
const results = new Map<Backend, Map<string, Timing>>();
const notes: string[] = [];
for (const backend of wanted) {
  if (backend !== 'sqlite' && !findPostgresBinDir()) {
    notes.push(`${backend}: skipped, no PostgreSQL binaries (apt install postgresql)`);
    continue;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stagelives-probe-'));
  chmodSync(dir, 0o711);
  const services = await start(backend, dir);
  const ferret = services.at(-1)!;
  const mongo = await connectMongo(ferret.url, { dbPrefix: 'probe_' });
  try {
    const features = await detectMongoFeatures(mongo.client, mongo.db('probe'));
    const pointReadsUpTo = pointReadsFor(features);
    const equalityReadsUpTo = equalityReadsFor(features);
    const seedStarted = performance.now();
    const articlesDb = mongo.db('articles');
    // The indexes first, as the subgraphs create them at start (FerretDB on PostgreSQL builds them as rows arrive).
    await new CommentRepository(articlesDb).ensureIndexes();
    await new ArticleRepository(articlesDb, false).ensureIndexes();
    await new UserLinkRepository(articlesDb, 'likes', 'articleId').ensureIndexes();
    // As the concerts subgraph builds it, with the list cache in Redis (its counts and week histogram).
    const concerts = new ConcertRepository(mongo.db('concerts'), {
      counts: new ConcertCountCache(redis, `${redisPrefix}${backend}:`),
      pointReadsUpTo,
      weeklyPages: equalityReadsUpTo > 0,
    });
    await concerts.ensureIndexes();
    await new UserLinkRepository(mongo.db('concerts'), 'likes', 'concertId').ensureIndexes();
    await new UserRepository(mongo.db('users')).ensureIndexes();
    const seeded = await seed(mongo);
    await concerts.fillStartsWeeks();
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    process.stderr.write(
      `[probe] ${backend}: seeded in ${seedSeconds.toFixed(1)} s; point reads up to ${pointReadsUpTo} ids, equality reads up to ${equalityReadsUpTo}\n`,
    );
    notes.push(`${backend}: seeded in ${seedSeconds.toFixed(0)} s; features ${JSON.stringify(features)}`);
    const timings = new Map<string, Timing>();
    for (const shape of shapes(mongo, seeded, pointReadsUpTo, equalityReadsUpTo, concerts)) {
      const t = await time(shape);
      timings.set(shape.name, t);
      process.stderr.write(`[probe] ${backend}: ${shape.name}: median ${t.median.toFixed(2)} ms, p95 ${t.p95.toFixed(2)} ms (${t.runs} runs)\n`);
    }
    results.set(backend, timings);
  } finally {
    await mongo.close();
    for (const service of services.reverse()) await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const probeKeys = await redis.keys(`${redisPrefix}*`);
if (probeKeys.length > 0) await redis.del(...probeKeys);
redis.disconnect();

const ran = wanted.filter((b) => results.has(b));
const fmt = (t: Timing | undefined) =>
  t ? `${t.median < 10 ? t.median.toFixed(1) : t.median.toFixed(0)} (${t.p95 < 10 ? t.p95.toFixed(1) : t.p95.toFixed(0)})` : '–';
const names = [...(results.get(ran[0]!)?.keys() ?? [])];
console.log(`FerretDB hot queries, ms per query: median (p95); one client; ${new Date().toISOString().slice(0, 10)}`);
console.log(
  `${counts.concerts} concerts, ${counts.users} users, ${counts.articles} articles, ${counts.comments} comments, ${counts.concertLikes} + ${counts.articleLikes} likes\n`,
);
console.log(`| query | ${ran.join(' | ')} |`);
console.log(`| --- |${ran.map(() => ' ---: |').join('')}`);
for (const name of names) console.log(`| ${name} | ${ran.map((b) => fmt(results.get(b)?.get(name))).join(' | ')} |`);
console.log(`\n${notes.join('\n')}`);
