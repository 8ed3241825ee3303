/**
 * `npm run rehearse`: the production build as a small cluster on this machine, under load, with
 * replicas killed — and a check that nothing stored was lost and no reminder was pushed twice.
 *
 * - One FerretDB, one redis-server and the local FCM server (@stagelives/devkit), in a temp dir.
 * - 2 routers, 2 of each subgraph, 2 workers: `node --conditions=stagelives-dist <pkg>/dist/index.js`,
 *   NODE_ENV=production, configuration from the environment only (each process gets exactly
 *   the variables below and PATH), each on a fixed loopback port so a restart takes its place.
 * - A round-robin TCP proxy per subgraph (the routers' SUBGRAPH_URLS point at it) and one in
 *   front of the routers for clients (HTTP and WebSocket), skipping a backend that refuses.
 * - For REHEARSE_SECONDS (60): mixed HTTP load (queries, likes, chat messages, articles) from
 *   REHEARSE_CONCURRENCY (8) loops; graphql-ws subscribers on every room through the proxy that
 *   reconnect and resume with `after`; ticket-open reminders due during the run. Meanwhile one
 *   router, one replica of each subgraph, the other router and one workers process are killed
 *   with SIGKILL and restarted; one replica of concerts is stopped (SIGSTOP) for 20 s, then resumed.
 * - Then it waits for the stack to settle and reports: client errors by kind, messages stored
 *   vs delivered to every subscriber (each stored message exactly once, in order), reminders
 *   stored vs pushes counted at the FCM server per (reminder, device); a second push is allowed
 *   only for the (reminder, device) pairs claimed but unconfirmed when the workers process was
 *   killed (the documented in-flight window). Exit 1 when something stored was lost, delivered
 *   twice, or pushed twice outside that window.
 *
 * Not part of `npm test` (it takes about three minutes); `npm run rehearse` builds first.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { MongoClient, ObjectId } from 'mongodb';
import WebSocket from 'ws';
import { ROOT, freePort, startFerretDB, startLocalFcmServer, startRedis, stopChild } from '@stagelives/devkit';
import { SUBGRAPH_NAMES } from '@stagelives/schema';
import { ledgerKey, notificationStore } from '@stagelives/notifications/store';
import { localFcmEnv } from '@stagelives/workers/notifications';
import { startRoundRobinProxy, type RoundRobinProxy } from './proxy.js';

const LOAD_SECONDS = Number(process.env.REHEARSE_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.REHEARSE_CONCURRENCY ?? 8);
const FANS = 30;
const DEVICES = 2;
const ROOMS = 3;
const SUBSCRIBERS_PER_ROOM = 4;
/** Seconds after the load starts at which each reminder concert's reminders are due. */
const REMINDER_OFFSETS = [6, 14, 21, 29, 31, 37, 46, 55].filter((s) => s < LOAD_SECONDS);
/** What is killed when (seconds after the load starts), restarted RESTART_AFTER later. */
const RESTART_AFTER = 3;
const CHAOS = [
  { at: 0.2, kind: 'router', replica: 0 },
  { at: 0.37, kind: 'subgraphs', replica: 0 },
  { at: 0.5, kind: 'workers', replica: 0 },
  { at: 0.7, kind: 'router', replica: 1 },
] as const;
/**
 * A hung replica: one replica of a subgraph stopped (SIGSTOP) for HANG.seconds, then resumed
 * (SIGCONT). It still accepts connections (the kernel does), so the proxy keeps sending it
 * requests: the routers' per-subgraph timeout is what bounds them (docs/operations.md, Subgraph failures).
 */
const HANG = { at: 0.55, subgraph: 'concerts', replica: 1, seconds: Number(process.env.REHEARSE_HANG_SECONDS ?? 20) } as const;

const say = (msg: string) => console.error(`[rehearse] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const since = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

// ─── Build ───────────────────────────────────────────────────────────────────────────────────
if (process.env.REHEARSE_SKIP_BUILD !== '1') {
  say('building (npm run build)');
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

// ─── Data services ───────────────────────────────────────────────────────────────────────────
const dir = mkdtempSync(join(tmpdir(), 'sl-rehearse-'));
const ferret = await startFerretDB({ dataDir: join(dir, 'ferretdb') });
const redis = await startRedis();
const fcm = await startLocalFcmServer();
say(`FerretDB ${ferret.url}, Redis ${redis.url}, FCM ${fcm.info.url}; logs in ${dir}`);

const ADMIN = 'admin@rehearsal.test';
const PASSWORD = 'correct horse battery staple';
const DB_PREFIX = 'rh_';
const common: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  MONGODB_URI: ferret.url,
  MONGODB_DB_PREFIX: DB_PREFIX,
  REDIS_URL: redis.url,
  REDIS_PREFIX: 'rh:',
  IDENTITY_SECRET: randomBytes(32).toString('hex'),
  ADMIN_EMAILS: ADMIN,
  SHUTDOWN_DELAY_MS: '500',
};

// ─── Processes ───────────────────────────────────────────────────────────────────────────────
interface Proc {
  name: string;
  kind: 'router' | 'subgraph' | 'workers';
  entry: string;
  port: number;
  env: Record<string, string>;
  child?: ChildProcess;
  log: WriteStream;
  /** Milliseconds from spawn to "listening", per start. */
  startMs: number[];
}

const procs: Proc[] = [];
const make = async (name: string, kind: Proc['kind'], entry: string, env: (port: number) => Record<string, string>): Promise<Proc> => {
  const port = await freePort();
  const proc: Proc = { name, kind, entry, port, env: env(port), log: createWriteStream(join(dir, `${name}.log`)), startMs: [] };
  procs.push(proc);
  return proc;
};

function start(proc: Proc): Promise<void> {
  const began = Date.now();
  const child = fork(join(ROOT, proc.entry), [], {
    cwd: ROOT,
    execArgv: ['--conditions=stagelives-dist'],
    env: { ...common, ...proc.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  proc.child = child;
  child.stdout!.pipe(proc.log, { end: false });
  child.stderr!.pipe(proc.log, { end: false });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${proc.name} did not listen within 30 s (see ${dir}/${proc.name}.log)`)), 30_000);
    child.on('message', (msg: { type?: string }) => {
      if (msg?.type !== 'listening') return;
      clearTimeout(timer);
      proc.startMs.push(Date.now() - began);
      resolve();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${proc.name} exited (${signal ?? code}) before listening (see ${dir}/${proc.name}.log)`));
    });
  });
}

function kill(proc: Proc): Promise<void> {
  const child = proc.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function stop(proc: Proc): Promise<void> {
  // A replica left stopped (SIGSTOP) would not see SIGTERM until resumed.
  if (proc.child && proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGCONT');
  return proc.child ? stopChild(proc.child, 20_000) : Promise.resolve();
}

const subgraphs: Record<string, Proc[]> = {};
const subgraphProxies: Record<string, RoundRobinProxy> = {};
for (const name of SUBGRAPH_NAMES) {
  subgraphs[name] = [];
  for (const r of [0, 1]) {
    subgraphs[name].push(
      await make(`${name}-${'ab'[r]}`, 'subgraph', `subgraphs/${name}/dist/index.js`, (port) => ({
        SUBGRAPH_PORT: String(port),
        SUBGRAPH_HOST: '127.0.0.1',
        CHAT_SEND_LIMIT: '1000000',
      })),
    );
  }
  subgraphProxies[name] = await startRoundRobinProxy(subgraphs[name].map((p) => p.port));
}
const subgraphUrls = SUBGRAPH_NAMES.map((n) => `${n}=http://127.0.0.1:${subgraphProxies[n]!.port}/graphql`).join(',');
const routers: Proc[] = [];
for (const r of [0, 1]) {
  routers.push(
    await make(`router-${'ab'[r]}`, 'router', 'router/dist/index.js', (port) => ({
      PORT: String(port),
      HOST: '127.0.0.1',
      SUBGRAPH_URLS: subgraphUrls,
      // Every client of the rehearsal is 127.0.0.1 behind the proxy.
      RATE_LIMIT_PUBLIC_READ: '1000000',
      RATE_LIMIT_DEFAULT: '1000000',
      RATE_LIMIT_AUTH: '1000000',
      WS_CONNECTIONS_PER_MINUTE: '1000000',
    })),
  );
}
const workers: Proc[] = [];
for (const r of [0, 1]) {
  workers.push(
    await make(`workers-${'ab'[r]}`, 'workers', 'workers/dist/index.js', (port) => ({
      WORKERS_PORT: String(port),
      WORKERS_HOST: '127.0.0.1',
      ...localFcmEnv(fcm.info),
      // Shorter than production's so a killed worker's jobs come back within the run.
      NOTIFICATIONS_JOB_LOCK_MS: '5000',
      NOTIFICATIONS_STALLED_CHECK_MS: '2000',
      NOTIFICATIONS_SEND_LOCK_MS: '5000',
      NOTIFICATIONS_EVENTS_CLAIM_IDLE_MS: '5000',
      NOTIFICATIONS_RECHECK_CACHE_MS: '1000',
    })),
  );
}

let front: RoundRobinProxy | undefined;
const mongo = new MongoClient(ferret.url);
let exitCode = 1;
try {
  // Subgraphs first (the routers' readiness includes theirs), two at a time of each kind.
  for (const name of SUBGRAPH_NAMES) await Promise.all(subgraphs[name]!.map(start));
  await Promise.all(routers.map(start));
  await Promise.all(workers.map(start));
  front = await startRoundRobinProxy(routers.map((p) => p.port));
  say(`${procs.length} processes up at ${since()}; clients → :${front.port} → routers :${routers.map((r) => r.port).join(', :')}`);
  exitCode = await rehearse(front.port);
} catch (error) {
  say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exitCode = 2;
} finally {
  for (const r of routers) await stop(r);
  await Promise.all(workers.map(stop));
  await Promise.all(procs.map(stop));
  await front?.close();
  for (const p of Object.values(subgraphProxies)) await p.close();
  await mongo.close();
  await fcm.close();
  await redis.stop();
  await ferret.stop();
  if (exitCode === 0 && process.env.REHEARSE_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  else say(`logs kept in ${dir}`);
}
process.exit(exitCode);

// ─── The rehearsal ───────────────────────────────────────────────────────────────────────────
async function rehearse(frontPort: number): Promise<number> {
  const url = `http://127.0.0.1:${frontPort}/graphql`;
  const wsUrl = `ws://127.0.0.1:${frontPort}/graphql`;

  /** Client-side errors by kind, during the load only. */
  const errors: Record<string, number> = {};
  const opCounts: Record<string, { ok: number; failed: number }> = {};
  let counting = false;

  type Result = { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  async function gql(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<{ result?: Result; error?: string }> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { error: `network: ${cause?.code ?? (error as Error).name ?? 'error'}` };
    }
    const text = await res.text().catch(() => '');
    let body: Result;
    try {
      body = JSON.parse(text) as Result;
    } catch {
      return { error: `http ${res.status} (not JSON)` };
    }
    if (body.errors?.length) return { result: body, error: `graphql ${body.errors[0]!.extensions?.code ?? body.errors[0]!.message} (HTTP ${res.status})` };
    return { result: body };
  }
  /** Setup calls: retried until they succeed (nothing is killed during setup). */
  async function must(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
    for (let attempt = 1; ; attempt += 1) {
      const { result, error } = await gql(query, variables, token);
      if (!error) return result!.data;
      if (attempt >= 5) throw new Error(`setup call failed: ${error}: ${query.slice(0, 80)}`);
      await sleep(200 * attempt);
    }
  }
  /** Requests during the hung replica's window, and the others (latency in ms). */
  const hangWindow = { active: false, total: 0, failed: 0, errors: {} as Record<string, number>, ms: [] as number[] };
  const otherMs: number[] = [];
  async function measured(op: string, query: string, variables: Record<string, unknown>, token?: string): Promise<Result | undefined> {
    const began = performance.now();
    const { result, error } = await gql(query, variables, token);
    if (counting) {
      const ms = performance.now() - began;
      if (hangWindow.active) {
        hangWindow.total += 1;
        hangWindow.ms.push(ms);
        if (error) {
          hangWindow.failed += 1;
          hangWindow.errors[error] = (hangWindow.errors[error] ?? 0) + 1;
        }
      } else otherMs.push(ms);
      const c = (opCounts[op] ??= { ok: 0, failed: 0 });
      if (error) {
        c.failed += 1;
        errors[error] = (errors[error] ?? 0) + 1;
      } else c.ok += 1;
    }
    return error ? undefined : result;
  }
  const pool = async <T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> => {
    const out = new Array<R>(items.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: n }, async () => {
        while (next < items.length) {
          const i = next++;
          out[i] = await fn(items[i]!, i);
        }
      }),
    );
    return out;
  };

  // ── Setup: accounts, devices, preferences, concerts, rooms ──
  const signUp = async (email: string, nickname: string) => {
    const data = await must('mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken user { id } } }', {
      input: { email, password: PASSWORD, nickname },
    });
    return { token: data.signUp.sessionToken as string, id: data.signUp.user.id as string };
  };
  const admin = await signUp(ADMIN, 'admin');
  const fans = await pool(
    Array.from({ length: FANS }, (_, i) => i),
    4,
    (i) => signUp(`fan${i}@rehearsal.test`, `fan${i}`),
  );
  const tokensOf = new Map<string, string[]>();
  await pool(fans, 6, async (fan, i) => {
    const tokens = Array.from({ length: DEVICES }, (_, d) => `rh-device-${i}-${d}`);
    tokensOf.set(fan.id, tokens);
    for (const token of tokens) await must('mutation($token: String!) { registerDevice(token: $token, platform: ANDROID) }', { token }, fan.token);
    await must(
      'mutation($input: NotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { ticketOpen } }',
      { input: { ticketOpen: true, concertStart: false, ticketOpenLeadMinutes: 5 } },
      fan.token,
    );
  });
  const createConcert = async (title: string, startsAt: Date, ticketOpenAt?: Date) =>
    (
      await must(
        'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
        {
          input: {
            title,
            artist: 'Rehearsal Band',
            venue: 'Loopback Hall',
            startsAt: startsAt.toISOString(),
            ...(ticketOpenAt && { ticketOpenAt: ticketOpenAt.toISOString() }),
          },
        },
        admin.token,
      )
    ).createConcert.id as string;
  const filler = await pool(
    Array.from({ length: 6 }, (_, i) => i),
    3,
    (i) => createConcert(`Filler show ${i}`, new Date(Date.now() + (30 + i) * 86_400_000)),
  );
  const rooms = await pool(
    Array.from({ length: ROOMS }, (_, i) => i),
    3,
    async (i) =>
      (await must('mutation($input: CreateChatRoomInput!) { createChatRoom(input: $input) { id } }', { input: { name: `room ${i}` } }, fans[i]!.token))
        .createChatRoom.id as string,
  );
  await pool(
    fans.flatMap((fan, f) => rooms.map((room, r) => ({ fan, room, owner: f === r }))).filter((x) => !x.owner),
    6,
    ({ fan, room }) => must('mutation($roomId: ID!) { joinChatRoom(roomId: $roomId) { id } }', { roomId: room }, fan.token),
  );
  const hello = await pool(
    rooms,
    3,
    async (room, i) =>
      (
        await must(
          'mutation($roomId: ID!, $body: String!) { sendMessage(roomId: $roomId, body: $body) { seq cursor } }',
          { roomId: room, body: 'hello' },
          fans[i]!.token,
        )
      ).sendMessage as { seq: number; cursor: string },
  );
  const articles = await pool(
    [0, 1, 2],
    3,
    async (i) =>
      (
        await must(
          'mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }',
          { input: { title: `Rehearsal notes ${i}`, body: 'Loud and clear.', tags: ['rehearsal'] } },
          fans[i]!.token,
        )
      ).createArticle.id as string,
  );

  // Reminder concerts: ticket sales open 5 minutes (the shortest lead) after their reminder is
  // due, so each fan's TICKET_OPEN reminder fires during the load. Every fan likes every one.
  const loadStartsAt = Date.now() + 8_000;
  const reminderConcerts = await pool(REMINDER_OFFSETS, 3, (offset, i) =>
    createConcert(`Ticket rush ${i}`, new Date(Date.now() + 2 * 86_400_000), new Date(loadStartsAt + offset * 1000 + 5 * 60_000)),
  );
  await pool(
    fans.flatMap((fan) => reminderConcerts.map((concert) => ({ fan, concert }))),
    8,
    ({ fan, concert }) => must('mutation($id: ID!) { likeConcert(id: $id) { id } }', { id: concert }, fan.token),
  );
  say(
    `setup done at ${since()}: ${FANS} fans × ${DEVICES} devices, ${ROOMS} rooms, ${reminderConcerts.length} reminder concerts (due at +${REMINDER_OFFSETS.join('s, +')}s of the load), ${filler.length} others`,
  );

  // ── Subscribers: graphql-ws through the proxy, resuming with `after` ──
  const SUBSCRIPTION = 'subscription($roomId: ID!, $after: String) { messageAdded(roomId: $roomId, after: $after) { id seq cursor } }';
  interface Subscriber {
    name: string;
    roomIndex: number;
    token: string;
    seqs: number[];
    cursor: string;
    resumes: number;
    closes: Record<string, number>;
    client?: Client;
    stopped: boolean;
  }
  const subscribers: Subscriber[] = [];
  for (let r = 0; r < ROOMS; r += 1) {
    for (let s = 0; s < SUBSCRIBERS_PER_ROOM; s += 1) {
      const fan = fans[(r * SUBSCRIBERS_PER_ROOM + s) % FANS]!;
      subscribers.push({
        name: `room${r}/sub${s}`,
        roomIndex: r,
        token: fan.token,
        seqs: [],
        cursor: hello[r]!.cursor,
        resumes: 0,
        closes: {},
        stopped: false,
      });
    }
  }
  const subscribeOnce = (sub: Subscriber) => {
    let closeCode: string | undefined;
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${sub.token}` },
      on: { closed: (event) => void (closeCode = String((event as { code?: number })?.code ?? 'closed')) },
    });
    sub.client = client;
    const again = (why: string) => {
      if (sub.stopped) return;
      sub.closes[why] = (sub.closes[why] ?? 0) + 1;
      void client.dispose();
      sub.resumes += 1;
      setTimeout(() => subscribeOnce(sub), 250);
    };
    client.subscribe<{ messageAdded: { seq: number; cursor: string } }>(
      { query: SUBSCRIPTION, variables: { roomId: rooms[sub.roomIndex], after: sub.cursor } },
      {
        next: ({ data, errors: errs }) => {
          if (errs?.length)
            return void (sub.closes[`next error ${errs[0]!.extensions?.code ?? errs[0]!.message}`] =
              (sub.closes[`next error ${errs[0]!.extensions?.code ?? errs[0]!.message}`] ?? 0) + 1);
          if (!data) return;
          sub.seqs.push(data.messageAdded.seq);
          sub.cursor = data.messageAdded.cursor;
        },
        error: (error) => {
          const why = Array.isArray(error)
            ? `subscribe refused: ${(error[0] as { extensions?: { code?: string } })?.extensions?.code ?? 'error'}`
            : `socket closed ${closeCode ?? (error as { code?: number })?.code ?? 'error'}`;
          again(why);
        },
        complete: () => again('completed by the server'),
      },
    );
  };
  subscribers.forEach(subscribeOnce);
  await sleep(1_500);

  // ── The load, with chaos ──
  const fanState = fans.map(() => new Set<string>());
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
  const sent = { attempted: 0, acknowledged: 0 };
  const cpu = cpuSampler();
  counting = true;
  const loadStart = Date.now();
  say(`load starts at ${since()} (${Math.round((loadStart - loadStartsAt) / 1000)} s after the planned start) for ${LOAD_SECONDS} s, ${CONCURRENCY} loops`);
  const deadline = loadStart + LOAD_SECONDS * 1000;
  const loops = Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < deadline) {
      const f = Math.floor(Math.random() * FANS);
      const fan = fans[f]!;
      const dice = Math.random();
      if (dice < 0.25)
        await measured(
          'query concerts (anonymous)',
          'query($first: Int) { concerts(first: $first) { totalCount edges { node { id title artist status likeCount } } } }',
          { first: 10 },
        );
      else if (dice < 0.4)
        await measured(
          'query concert + me (signed in)',
          'query($id: ID!) { me { id nickname } concert(id: $id) { id title likeCount viewerHasLiked } }',
          { id: pick(filler) },
          fan.token,
        );
      else if (dice < 0.55) {
        const concert = pick(filler);
        const liked = fanState[f]!.has(concert);
        const res = await measured(
          liked ? 'mutation unlikeConcert' : 'mutation likeConcert',
          `mutation($id: ID!) { ${liked ? 'unlikeConcert' : 'likeConcert'}(id: $id) { id likeCount } }`,
          { id: concert },
          fan.token,
        );
        if (res) liked ? fanState[f]!.delete(concert) : fanState[f]!.add(concert);
      } else if (dice < 0.8) {
        sent.attempted += 1;
        const res = await measured(
          'mutation sendMessage',
          'mutation($roomId: ID!, $body: String!) { sendMessage(roomId: $roomId, body: $body) { id seq } }',
          { roomId: pick(rooms), body: `m ${sent.attempted}` },
          fan.token,
        );
        if (res) sent.acknowledged += 1;
      } else if (dice < 0.88) await measured('query articles', 'query { articles(first: 5) { edges { node { id title likeCount commentCount } } } }', {});
      else if (dice < 0.93)
        await measured(
          'mutation addComment',
          'mutation($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { id } }',
          { articleId: pick(articles), body: 'same here' },
          fan.token,
        );
      else if (dice < 0.97) await measured('query chatRooms', 'query { chatRooms(first: 5) { edges { node { id lastSeq } } } }', {}, fan.token);
      else await measured('query my notifications', 'query { me { id notifications(first: 5) { unreadCount } } }', {}, fan.token);
    }
  });

  const kills: Array<{ what: string; at: string; killedAt: number; readyAfterMs: number[] }> = [];
  let unconfirmedAtKill = new Set<string>();
  const notificationsDb = mongo.db(`${DB_PREFIX}notifications`);
  const store = notificationStore(notificationsDb);
  // Each step on its own clock (a slow restart does not delay the next kill).
  const chaos = Promise.all(
    CHAOS.map(async (step) => {
      const at = loadStart + step.at * LOAD_SECONDS * 1000;
      await sleep(Math.max(0, at - Date.now()));
      const victims =
        step.kind === 'router'
          ? [routers[step.replica]!]
          : step.kind === 'workers'
            ? [workers[step.replica]!]
            : SUBGRAPH_NAMES.map((n) => subgraphs[n]![step.replica]!);
      const killedAt = Date.now() - loadStart;
      await Promise.all(victims.map(kill));
      say(`SIGKILL ${victims.map((v) => v.name).join(', ')} at +${(killedAt / 1000).toFixed(1)} s of the load`);
      if (step.kind === 'workers') {
        await sleep(300); // answers already on the wire land
        unconfirmedAtKill = new Set((await store.ledger.unconfirmed()).map((c) => c._id));
        say(`  pushes claimed but unconfirmed at the kill (the in-flight window): ${unconfirmedAtKill.size}`);
      }
      await sleep(RESTART_AFTER * 1000);
      const before = victims.map((v) => v.startMs.length);
      await Promise.all(victims.map(start));
      kills.push({
        what: victims.map((v) => v.name).join(', '),
        at: `+${(killedAt / 1000).toFixed(1)} s`,
        killedAt,
        readyAfterMs: victims.map((v, i) => v.startMs[before[i]!]!),
      });
      say(`  restarted ${victims.map((v) => v.name).join(', ')}`);
    }),
  );
  const hung = subgraphs[HANG.subgraph]![HANG.replica]!;
  const hang = (async () => {
    await sleep(Math.max(0, loadStart + HANG.at * LOAD_SECONDS * 1000 - Date.now()));
    hung.child?.kill('SIGSTOP');
    hangWindow.active = true;
    say(`SIGSTOP ${hung.name} at +${((Date.now() - loadStart) / 1000).toFixed(1)} s of the load, for ${HANG.seconds} s`);
    try {
      await sleep(HANG.seconds * 1000);
    } finally {
      hung.child?.kill('SIGCONT');
      hangWindow.active = false;
      say(`  SIGCONT ${hung.name}`);
    }
  })();
  await Promise.all([...loops, chaos, hang]);
  counting = false;
  const cpuSeconds = cpu.stop();
  const loadSeconds = (Date.now() - loadStart) / 1000;
  say(`load done at ${since()}; settling`);

  // ── Settle: every subscriber catches up with what is stored, every reminder is sent ──
  const chatDb = mongo.db(`${DB_PREFIX}chat`);
  const storedSeqs = async (r: number) =>
    (
      await chatDb
        .collection('messages')
        .find({ roomId: new ObjectId(rooms[r]) }, { projection: { seq: 1 } })
        .sort({ seq: 1 })
        .toArray()
    )
      .map((m) => m.seq as number)
      .filter((s) => s > hello[r]!.seq);
  const concertsDb = mongo.db(`${DB_PREFIX}concerts`);
  const reminderConcertIds = reminderConcerts.map((id) => new ObjectId(id));
  const settleDeadline = Date.now() + 90_000;
  let stored: number[][] = [];
  for (;;) {
    stored = await Promise.all(rooms.map((_, r) => storedSeqs(r)));
    const chatDone = subscribers.every((s) => s.seqs.length >= stored[s.roomIndex]!.length);
    const reminders = await store.reminders.reminders.countDocuments({ concertId: { $in: reminderConcerts } });
    const sentOutcomes = await store.reminders.outcomes.countDocuments({ concertId: { $in: reminderConcerts }, status: 'SENT' as never });
    const unconfirmed = (await store.ledger.unconfirmed()).length;
    const likes = await concertsDb.collection('likes').countDocuments({ concertId: { $in: reminderConcertIds } });
    if (chatDone && reminders === likes && sentOutcomes >= reminders && unconfirmed === 0) break;
    if (Date.now() > settleDeadline) {
      say(
        `settle timed out: chat ${chatDone ? 'done' : 'behind'}, likes ${likes}, reminders ${reminders}, SENT ${sentOutcomes}, unconfirmed pushes ${unconfirmed}`,
      );
      break;
    }
    await sleep(1_000);
  }
  await sleep(1_000);
  for (const s of subscribers) {
    s.stopped = true;
    await s.client?.dispose();
  }

  // ── Figures ──
  let failed = false;
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);
  out(`## Rehearsal report (${new Date().toISOString()})`);
  out();
  out(`Production build, plain node: 2 routers, 2 × each of ${SUBGRAPH_NAMES.length} subgraphs, 2 workers; one FerretDB, one Redis, the local FCM server.`);
  out(
    `Load: ${loadSeconds.toFixed(0)} s, ${CONCURRENCY} HTTP loops through the proxy, ${subscribers.length} graphql-ws subscribers (${ROOMS} rooms × ${SUBSCRIBERS_PER_ROOM}).`,
  );
  out();
  out('| killed (SIGKILL) | at | restarted, ready after |');
  out('| --- | --- | --- |');
  for (const k of kills.sort((a, b) => a.killedAt - b.killedAt))
    out(`| ${k.what} | ${k.at} | ${RESTART_AFTER} s later; ready in ${Math.max(...k.readyAfterMs)} ms (slowest) |`);
  out();
  out(
    `**CPU during the load** (${LOAD_SECONDS} s on ${availableParallelism()} cores, from /proc): ${Object.entries(cpuSeconds)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')}.`,
  );
  out();
  const pct = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]! : NaN);
  out(
    `**Hung replica** (${hung.name} stopped with SIGSTOP for ${HANG.seconds} s at +${(HANG.at * LOAD_SECONDS).toFixed(0)} s; the proxy still sends it half of ${HANG.subgraph}'s requests): ${hangWindow.total} client requests in the window, ${hangWindow.failed} with an error (${((100 * hangWindow.failed) / Math.max(hangWindow.total, 1)).toFixed(1)} %); latency p50 ${pct(hangWindow.ms, 0.5).toFixed(0)} ms, p99 ${pct(hangWindow.ms, 0.99).toFixed(0)} ms, max ${Math.max(0, ...hangWindow.ms).toFixed(0)} ms (outside the window: p50 ${pct(otherMs, 0.5).toFixed(0)} ms, p99 ${pct(otherMs, 0.99).toFixed(0)} ms). Errors in the window: ${
      Object.entries(hangWindow.errors)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ×${n}`)
        .join(', ') || 'none'
    }.`,
  );
  out();
  const totalOps = Object.values(opCounts).reduce((n, c) => n + c.ok + c.failed, 0);
  const totalFailed = Object.values(opCounts).reduce((n, c) => n + c.failed, 0);
  out(
    `**Client requests**: ${totalOps} (${(totalOps / loadSeconds).toFixed(0)}/s), ${totalFailed} failed (${((100 * totalFailed) / Math.max(totalOps, 1)).toFixed(2)} %).`,
  );
  out();
  out('| operation | ok | failed |');
  out('| --- | ---: | ---: |');
  for (const [op, c] of Object.entries(opCounts).sort()) out(`| ${op} | ${c.ok} | ${c.failed} |`);
  out();
  out('| error seen by clients | count |');
  out('| --- | ---: |');
  for (const [kind, n] of Object.entries(errors).sort((a, b) => b[1] - a[1])) out(`| ${kind} | ${n} |`);
  if (Object.keys(errors).length === 0) out('| (none) | 0 |');
  out();

  const storedTotal = stored.reduce((n, s) => n + s.length, 0);
  let expectedDeliveries = 0;
  let delivered = 0;
  let missing = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let resumes = 0;
  const closes: Record<string, number> = {};
  for (const s of subscribers) {
    const expected = stored[s.roomIndex]!;
    expectedDeliveries += expected.length;
    delivered += s.seqs.length;
    const seen = new Set(s.seqs);
    missing += expected.filter((q) => !seen.has(q)).length;
    duplicates += s.seqs.length - seen.size;
    outOfOrder += s.seqs.filter((q, i) => i > 0 && q <= s.seqs[i - 1]!).length;
    resumes += s.resumes;
    for (const [why, n] of Object.entries(s.closes)) closes[why] = (closes[why] ?? 0) + n;
  }
  out(
    `**Chat**: ${sent.attempted} sendMessage calls, ${sent.acknowledged} acknowledged, ${storedTotal} stored (a call that failed on the wire may still have been stored; what is stored is what counts).`,
  );
  out(
    `Deliveries: ${delivered} of ${expectedDeliveries} expected (every stored message × every subscriber of its room); missing ${missing}, duplicates ${duplicates}, out of order ${outOfOrder}.`,
  );
  out(
    `Subscribers resumed with \`after\` ${resumes} times: ${
      Object.entries(closes)
        .map(([k, n]) => `${k} ×${n}`)
        .join(', ') || 'never'
    }.`,
  );
  out();
  if (missing || duplicates || outOfOrder) failed = true;

  const reminders = await store.reminders.reminders.find({ concertId: { $in: reminderConcerts } }).toArray();
  const likes = await concertsDb.collection('likes').countDocuments({ concertId: { $in: reminderConcertIds } });
  const sentOutcomes = await store.reminders.outcomes.countDocuments({ concertId: { $in: reminderConcerts }, status: 'SENT' as never });
  let pairs = 0;
  let pushedPairs = 0;
  let notPushed = 0;
  let twiceInWindow = 0;
  let twiceOutside = 0;
  for (const r of reminders) {
    for (const token of tokensOf.get(r.userId) ?? []) {
      pairs += 1;
      const n = fcm.countsBy(r._id.toHexString(), token);
      if (n === 0) notPushed += 1;
      else pushedPairs += 1;
      if (n > 1) {
        if (n === 2 && unconfirmedAtKill.has(ledgerKey(r._id.toHexString(), token))) twiceInWindow += 1;
        else twiceOutside += 1;
      }
    }
  }
  out(
    `**Reminders**: ${likes} likes of the ${reminderConcerts.length} reminder concerts, ${reminders.length} reminders stored, ${sentOutcomes} SENT; ${pairs} (reminder, device) pushes due, ${pushedPairs} pushed, ${notPushed} not pushed.`,
  );
  out(
    `FCM server: ${fcm.stats.accepted} pushes accepted, ${fcm.stats.sendRequests} send requests. Pushed twice: ${twiceInWindow} inside the in-flight window (${unconfirmedAtKill.size} pushes claimed but unconfirmed when the workers process was killed), ${twiceOutside} outside it.`,
  );
  if (reminders.length !== likes || notPushed || twiceOutside) failed = true;
  out();
  out(
    `**Verdict**: ${failed ? 'FAILED — something stored was lost, delivered twice, or pushed twice outside the window' : 'nothing stored was lost; every stored message reached every subscriber exactly once, in order; no reminder was pushed twice outside the in-flight window'}.`,
  );
  console.log(`\n${lines.join('\n')}\n`);
  return failed ? 1 : 0;
}

/** CPU seconds used by each kind of process while it runs (sampled every 500 ms from /proc). */
function cpuSampler(): { stop(): Record<string, number> } {
  const ticks = (pid: number | undefined): number | null => {
    if (!pid) return null;
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
    } catch {
      return null;
    }
  };
  const last = new Map<number, number>();
  const totals: Record<string, number> = {};
  const kinds = (): Array<[string, number | undefined]> => [
    ['FerretDB', ferret.child.pid],
    ['Redis', redis.child.pid],
    ...procs.map((p): [string, number | undefined] => [
      p.kind === 'subgraph' ? 'subgraphs (12)' : p.kind === 'router' ? 'routers (2)' : 'workers (2)',
      p.child?.pid,
    ]),
  ];
  const sample = () => {
    for (const [kind, pid] of kinds()) {
      const now = ticks(pid);
      if (now === null || !pid) continue;
      const before = last.get(pid);
      last.set(pid, now);
      // A process started since the last sample counts from its start.
      totals[kind] = (totals[kind] ?? 0) + (now - (before ?? (totals[kind] === undefined ? now : 0)));
    }
  };
  sample();
  for (const k of Object.keys(totals)) totals[k] = 0;
  const self = process.cpuUsage();
  const timer = setInterval(sample, 500);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const mine = process.cpuUsage(self);
      return { ...Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v / 100])), 'load generator': (mine.user + mine.system) / 1e6 };
    },
  };
}
