/**
 * Chat fan-out benchmark (part of `npm run bench`; alone: `BENCH_ONLY=fanout npm run bench`).
 *
 * Many subscribers on one room; messages sent on a fixed schedule (never waiting for replies).
 * Processes:
 *   - the measured router: forked on its own as the image runs it (`BENCH_RUNTIME`, children.ts), pointed at the
 *     subgraphs `createStack` runs in this process, same secret, prefixes and Redis;
 *   - the peer, measured in the same run: `fanout-peer.ts`, plain graphql-ws (`useServer`) over a
 *     graphql-redis-subscriptions RedisPubSub, executing and serialising per subscriber, fed by
 *     publishing the same message payloads on Redis at the same rates;
 *   - the subscribers: `fanout-load.ts`, one process for all sockets (graphql-transport-ws on `ws`).
 * For each subscriber count: the peer's cases, then ours (each server measured while the other
 * is idle), each rate in turn on the same subscribers.
 *
 * Per case: messages sent (and answered per second: the store's pace), deliveries expected
 * (sent × subscribers) and received, lost (= expected − received: not arrived when the drain
 * bound ended the case; in an overloaded case mostly a backlog still queued), duplicates,
 * deliveries/s (received / (last receipt − first send)), latency from send to receipt (ours:
 * sendMessage through the router; the peer: the Redis publish), the server's RSS (peak, end) and
 * CPU, the load process's CPU, and subgraph HTTP requests per message beyond sendMessage's own.
 * Speed is reported beside the peer and as ratios against it (ours / peer). The targets below
 * (from the issue) live here, never in tests; a FAIL sets a non-zero exit code.
 *
 * Environment:
 *   BENCH_FANOUT_SECONDS        how long each case sends, seconds (default 5)
 *   BENCH_FANOUT_DRAIN_SECONDS  longest wait for the last replies and deliveries after the last send (default 15);
 *                               what has not arrived by then counts as lost
 *   BENCH_FANOUT_SUBSCRIBERS    subscriber counts, comma-separated (default 1000,5000)
 *   BENCH_FANOUT_RATES          messages per second, comma-separated (default 10,100)
 *   BENCH_FANOUT_USERS          distinct subscriber users (default 100); subscriber i signs in as user i mod USERS,
 *                               every subscriber with its own session. See "Subscribers" below for why not one each.
 *   BENCH_FANOUT_PEER           0 skips the peer (then no ratios); default 1
 *   BENCH_FANOUT_CONNECT_CONCURRENCY  sockets opening at once (default 20); each one's subscription costs an access
 *                               check through the chat subgraph, which on a busy machine times out past some concurrency
 *                               (at 100, 5,000 subscribers opened the router's breaker on chat and ~2,000 subscriptions
 *                               ended with SUBGRAPH_UNAVAILABLE: a reconnect storm, not the fan-out this part measures)
 *   BENCH_FANOUT_HELD           before those, one case of ours alone at FANOUT_TARGETS.p99Rate with this many
 *                               subscribers (default FANOUT_TARGETS.heldSubscribers, 10,000; 0: none), opened
 *                               20 at a time: issue 26's "subscribers one router holds" row
 *   BENCH_FANOUT_CPU_PROF       a directory: the router child runs with --cpu-prof and writes its profile there,
 *                               with fanout-cases.json: each case's window on the profile's clock
 * With the defaults the fan-out part takes about 7–8 minutes on a 2-core machine (most of it
 * the subscriptions' access checks, the drain bound of the overloaded cases and the held case's
 * 10,000 sockets).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ObjectId } from 'mongodb';
import { SessionStore, loadBaseConfig } from '@stagelives/platform';
import { gql, ok, signUp, type Stack } from '../support/stack.js';
import { cpuSeconds, rssMb } from '@stagelives/devkit';
import { forkEntry, forkPackage, waitListening, type Child } from './children.js';
import { BODY_MARKER, type LoadResult, type LoadStatus } from './fanout-load.js';
import { saveResults } from './peers/report.js';

/** The issues' targets, per router process on this 2-core machine. */
export const FANOUT_TARGETS = {
  /** Deliveries per second in the best case at `subscribers` subscribers. */
  minDeliveriesPerSecond: 60_000,
  /** p99 from sendMessage to receipt at `subscribers` subscribers and `p99Rate` messages/s. */
  maxP99Ms: 250,
  subscribers: 5_000,
  p99Rate: 10,
  /** Issue 26: subscribers one router holds at `p99Rate` with p99 < `maxP99Ms`, none lost, RSS peak ≤ `maxRssMb`. */
  heldSubscribers: 10_000,
  maxRssMb: 300,
};

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const list = (name: string, fallback: string) =>
  (process.env[name] ?? fallback)
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isFinite(n) && n > 0);

/** The subscription both servers serve: the payload the issue names. */
const SUBSCRIPTION = 'subscription FanOut($roomId: ID!) { messageAdded(roomId: $roomId) { id body createdAt author { id nickname avatarUrl } } }';
const SEND = 'mutation FanOutSend($roomId: ID!, $body: String!) { sendMessage(roomId: $roomId, body: $body) { id } }';

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const body = (tag: number | 'w', index: number, sentUs: number) => `${BODY_MARKER}${tag}:${index}:${sentUs}~ fan-out bench message`;

type ServerKind = 'stagelives' | 'peer';

interface CaseResult {
  server: ServerKind;
  subscribers: number;
  rate: number;
  sent: number;
  /** Sends answered per second: successful replies / (last reply − first send). */
  storedPerSecond: number;
  sendFailures: number;
  /** Sends still unanswered when the drain bound ended the case. */
  unanswered: number;
  firstSendError: string | null;
  expected: number;
  load: LoadResult;
  deliveriesPerSecond: number;
  drained: boolean;
  rssPeakMb: number;
  rssEndMb: number;
  serverCpuPct: number;
  loadCpuPct: number;
  /** Subgraph HTTP requests per message, beyond the sendMessage's own (ours only). */
  requestsPerMessage: Record<string, number> | null;
  sendP50Ms: number | null;
  sendP99Ms: number | null;
}

/**
 * Waits until the given processes used under 10% of a core each over a 1 s window and `ready()`
 * holds, for at most 90 s: the previous set's leftovers (and a new set's access checks) must not
 * overlap a measurement.
 */
async function waitQuiet(pids: number[], ready: () => boolean = () => true, maxMs = 90_000): Promise<void> {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    const before = pids.map(cpuSeconds);
    await sleep(1000);
    const busy = pids.some((pid, i) => cpuSeconds(pid) - before[i]! > 0.1);
    if (!busy && ready()) return;
  }
  console.log(`  (still busy after ${maxMs / 1000} s; measuring anyway)`);
}

function percentile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const round = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? '–' : Number(n.toFixed(digits)));

export async function runFanout(stack: Stack): Promise<{ failed: boolean }> {
  const seconds = num('BENCH_FANOUT_SECONDS', 5);
  const drainSeconds = num('BENCH_FANOUT_DRAIN_SECONDS', 15);
  const subscriberCounts = list('BENCH_FANOUT_SUBSCRIBERS', '1000,5000');
  const rates = list('BENCH_FANOUT_RATES', '10,100');
  const withPeer = process.env.BENCH_FANOUT_PEER !== '0';
  const connectConcurrency = num('BENCH_FANOUT_CONNECT_CONCURRENCY', 20);
  const profileDir = process.env.BENCH_FANOUT_CPU_PROF;
  const heldCase = Number(process.env.BENCH_FANOUT_HELD ?? FANOUT_TARGETS.heldSubscribers);
  if (!Number.isInteger(heldCase) || heldCase < 0) throw new Error('BENCH_FANOUT_HELD must be a whole number (0: no held case)');
  /** Subscriber sets in turn: each with the rates it runs and whether the peer runs them too. */
  const plans = subscriberCounts.map((subscribers) => ({ subscribers, rates, withPeer, concurrency: connectConcurrency }));
  // First, on a fresh stack: after the overloaded 100 msg/s cases its 10,000 access checks timed
  // out in the chat subgraph (this process) in two runs of three, ending ~6,000 subscriptions.
  if (heldCase > 0 && !subscriberCounts.includes(heldCase)) {
    plans.unshift({ subscribers: heldCase, rates: [FANOUT_TARGETS.p99Rate], withPeer: false, concurrency: Math.min(connectConcurrency, 20) });
  }
  const maxSubscribers = Math.max(...plans.map((p) => p.subscribers));
  const users = Math.min(num('BENCH_FANOUT_USERS', 100), maxSubscribers);

  const children: Child[] = [];
  const routerLog = { lines: 0, shown: 0, slowConsumers: 0 };
  try {
    // --- The measured router, in its own process. ---
    const subgraphUrls = Object.entries(stack.subgraphUrls)
      .map(([n, u]) => `${n}=${u}`)
      .join(',');
    const router = forkPackage(
      'router',
      'router',
      {
        ...process.env,
        ...stack.env,
        SUBGRAPH_URLS: subgraphUrls,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        WS_CONNECTIONS_PER_MINUTE: '10000000',
        // The ceiling (config default 6,000) is a deployment's choice; the bench measures past it.
        WS_MAX_CONNECTIONS: process.env.WS_MAX_CONNECTIONS ?? String(maxSubscribers + 100),
      },
      (line) => {
        routerLog.lines += 1;
        if (line.includes('does not read fast enough')) routerLog.slowConsumers += 1;
        if (routerLog.shown < 10) {
          routerLog.shown += 1;
          process.stderr.write(`[router] ${line.slice(0, 400)}\n`);
        }
      },
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    );
    children.push(router);
    const routerPort = await waitListening(router);
    const routerUrl = `http://127.0.0.1:${routerPort}/graphql`;
    const routerWs = `ws://127.0.0.1:${routerPort}/graphql`;

    // --- The peer: plain graphql-ws, per-subscriber execution. ---
    const peerChannelPrefix = `${stack.prefix}:peer:`;
    let peer: Child | null = null;
    let peerWs = '';
    if (withPeer) {
      peer = forkEntry('peer', 'test/bench/fanout-peer.ts', {
        ...process.env,
        REDIS_URL: stack.env.REDIS_URL,
        PEER_CHANNEL_PREFIX: peerChannelPrefix,
        NODE_ENV: 'production',
      });
      children.push(peer);
      peerWs = `ws://127.0.0.1:${await waitListening(peer)}/graphql`;
    }

    // --- The subscribers' process. ---
    const load = forkEntry('load', 'test/bench/fanout-load.ts', { ...process.env }, (line) => process.stderr.write(`[load] ${line}\n`));
    children.push(load);

    // --- Users. The sender is a real signed-up member. ---
    const sender = await signUp(stack);
    // Subscribers. Bench set-up only: signing thousands of users up would take minutes of argon2,
    // so subscriber users are fresh ObjectIds with sessions created directly in the session store
    // (one session per subscriber) and memberships inserted directly into the chat database (what
    // joinChatRoom stores). Fewer users than subscribers by default: FerretDB 1.24 scans the whole
    // `memberships` collection for every membership check (measured on SQLite: 8 ms at 100
    // documents, 47 ms at 1,000, 226 ms at 5,000), and the router checks membership once per
    // subscription and the chat subgraph once per sendMessage, so 5,000 member documents would
    // make set-up take ~15 minutes and keep both cores busy in FerretDB during the cases. The
    // router treats these subscribers exactly as distinct users: the selection is not
    // viewer-dependent, so they share one group either way. BENCH_FANOUT_USERS=5000 gives one
    // user per subscriber (sensible against an indexed MongoDB given as MONGODB_URI).
    const sessions = SessionStore.fromConfig(stack.redis, loadBaseConfig(stack.env));
    const userIds = Array.from({ length: users }, () => new ObjectId());
    const tokens: string[] = [];
    for (let i = 0; i < maxSubscribers; i += 500) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(500, maxSubscribers - i) }, (_, k) => sessions.create(userIds[(i + k) % users]!.toHexString(), ['USER'])),
      );
      tokens.push(...batch.map((b) => b.token));
    }
    const memberships = stack.mongo.db('chat').collection('memberships');

    const sendThroughRouter = async (roomId: string, text: string): Promise<string | null> => {
      const res = await fetch(routerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sender.token}` },
        body: JSON.stringify({ query: SEND, variables: { roomId, body: text } }),
      });
      const json = (await res.json()) as {
        data?: { sendMessage?: { id: string } | null };
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      };
      if (json.errors?.length || !json.data?.sendMessage)
        return `${res.status} ${json.errors?.[0]?.extensions?.code ?? ''} ${json.errors?.[0]?.message ?? 'no data'}`;
      return null;
    };
    /**
     * Waits (up to 60 s) until the router answers a read of the room from the chat subgraph: after
     * an overloaded case its breaker on chat may still be open, and a subscription whose access
     * check it refuses ends with SUBGRAPH_UNAVAILABLE instead of being measured.
     */
    const untilChatAnswers = async (roomId: string): Promise<void> => {
      const started = Date.now();
      for (;;) {
        const res = await gql<{ chatRoom: { id: string } | null }>(
          { url: routerUrl },
          'query($id: ID!) { chatRoom(id: $id) { id } }',
          { id: roomId },
          { token: sender.token },
        );
        if (res.data?.chatRoom && !res.errors?.length) return;
        if (Date.now() - started > 60_000)
          throw new Error(`the router did not read chat room ${roomId} for 60 s: ${JSON.stringify(res.errors ?? res.data).slice(0, 300)}`);
        await sleep(1000);
      }
    };
    const publishToPeer = async (roomId: string, text: string, seq: number): Promise<string | null> => {
      const payload = {
        id: new ObjectId().toHexString(),
        seq,
        body: text,
        createdAt: new Date().toISOString(),
        author: { id: sender.user.id, nickname: sender.nickname, avatarUrl: null },
      };
      await stack.redis.publish(`${peerChannelPrefix}${roomId}`, JSON.stringify(payload));
      return null;
    };

    const results: CaseResult[] = [];
    const windows: Array<{ server: ServerKind; subscribers: number; rate: number; startUs: number; endUs: number }> = [];
    let caseId = 0;
    /** Sends not answered yet, over all cases. */
    let outstanding = 0;

    for (const plan of plans) {
      const { subscribers } = plan;
      // The peer first: our router's leftovers of a saturated case (writes to the closed sockets of
      // its backlog) cannot then overlap the peer's measurement; waitQuiet guards the rest.
      for (const server of [...(peer && plan.withPeer ? ['peer'] : []), 'stagelives'] as ServerKind[]) {
        const serverPid = server === 'stagelives' ? router.process.pid! : peer!.process.pid!;
        let roomId: string;
        let seq = 0;
        if (server === 'stagelives') {
          const { createChatRoom } = await ok<{ createChatRoom: { id: string } }>(
            stack,
            'mutation($input: CreateChatRoomInput!) { createChatRoom(input: $input) { id } }',
            { input: { name: `fan-out ${subscribers}` } },
            { token: sender.token },
          );
          roomId = createChatRoom.id;
          const room = new ObjectId(roomId);
          // Bench set-up only: FerretDB 1.24 (SQLite) pushes neither filter nor sort down, so every
          // read of `messages` (the send's max-seq lookup, the router's range reads) scans the whole
          // collection. Earlier cases' messages are removed so that every subscriber set starts
          // from the same (empty) collection whatever ran before it.
          await stack.mongo
            .db('chat')
            .collection('messages')
            .deleteMany({ roomId: { $ne: room } });
          const createdAt = new Date();
          const members = userIds.slice(0, Math.min(users, subscribers));
          for (let i = 0; i < members.length; i += 1000) {
            await memberships.insertMany(members.slice(i, i + 1000).map((userId) => ({ roomId: room, userId, createdAt })));
          }
        } else {
          roomId = new ObjectId().toHexString();
        }
        const deliver = (text: string) => (server === 'stagelives' ? sendThroughRouter(roomId, text) : publishToPeer(roomId, text, (seq += 1)));

        await waitQuiet([router.process.pid!, ...(peer ? [peer.process.pid!] : [])], () => outstanding === 0);
        if (server === 'stagelives') await untilChatAnswers(roomId);
        const opened = await load.request<{ failed: number; ms: number; closes: Record<string, number>; firstError: string | null }>({
          type: 'open',
          url: server === 'stagelives' ? routerWs : peerWs,
          tokens: tokens.slice(0, subscribers),
          query: SUBSCRIPTION,
          roomId,
          concurrency: plan.concurrency,
        });
        if (opened.failed)
          throw new Error(
            `${server}: ${opened.failed} of ${subscribers} subscribers could not connect (close codes ${JSON.stringify(opened.closes)}, first error: ${opened.firstError ?? 'none'})`,
          );
        // Let the server (and the subgraphs in this process) finish the subscriptions' access
        // checks before any message: a message while subscribers join makes the router replay it
        // to each of them, one read apiece.
        await waitQuiet([serverPid, process.pid]);
        // Warm up until every subscriber got a message: then all subscriptions are live.
        const warmStart = Date.now();
        for (let k = 0; ; k += 1) {
          const error = await deliver(body('w', k, nowUs()));
          // The router's breaker may have opened on the chat subgraph while it checked thousands of
          // subscriptions (it runs in this process): a refused send is retried until it closes.
          if (error && Date.now() - warmStart > 60_000) throw new Error(`${server}: warm-up send failed for 60 s: ${error}`);
          if (error) console.log(`fan-out ${server} ${subscribers}: warm-up send refused (${error.slice(0, 80)}), retrying`);
          await sleep(k < 3 ? 300 : 1000);
          const st = await load.request<LoadStatus>({ type: 'status' });
          if (st.warmed >= subscribers) break;
          if (Date.now() - warmStart > 90_000)
            throw new Error(`${server}: only ${st.warmed} of ${subscribers} subscribers live after 90 s (${st.firstError ?? 'no error'})`);
        }
        await sleep(1000);
        console.log(`fan-out ${server} ${subscribers} subscribers: connected in ${opened.ms} ms, subscribed and live ${Date.now() - warmStart} ms later`);

        for (const rate of plan.rates) {
          // A case that ended undrained leaves a backlog: the next one starts once it is consumed.
          if (results.length && results.at(-1)!.server === server) await waitQuiet([serverPid], () => outstanding === 0);
          caseId += 1;
          const count = Math.max(1, Math.round(rate * seconds));
          await load.request({ type: 'start', caseId, capacity: count + 8 });
          stack.subgraphRequests.reset();
          let rssPeak = rssMb(serverPid);
          const rssTimer = setInterval(() => {
            rssPeak = Math.max(rssPeak, rssMb(serverPid));
          }, 200);
          const cpu0 = cpuSeconds(serverPid);
          const loadCpu0 = cpuSeconds(load.process.pid!);
          const wall0 = Date.now();

          // Fire on a fixed schedule; never wait for a reply before the next.
          const sendLatencies: number[] = [];
          let failures = 0;
          let firstSendError: string | null = null;
          let firstSendUs = 0;
          let lastReplyUs = 0;
          let replied = 0;
          /** Sends that never reached the router (the request itself failed). */
          let unsent = 0;
          const intervalMs = 1000 / rate;
          const t0 = performance.now();
          for (let i = 0; i < count; i += 1) {
            const wait = t0 + i * intervalMs - performance.now();
            if (wait > 1) await sleep(wait);
            const sentUs = nowUs();
            if (i === 0) firstSendUs = sentUs;
            outstanding += 1;
            void deliver(body(caseId, i, sentUs)).then(
              (error) => {
                outstanding -= 1;
                replied += 1;
                lastReplyUs = Math.max(lastReplyUs, nowUs());
                if (error) {
                  failures += 1;
                  firstSendError ??= error;
                } else sendLatencies.push((nowUs() - sentUs) / 1000);
              },
              (error: unknown) => {
                outstanding -= 1;
                replied += 1;
                failures += 1;
                unsent += 1;
                firstSendError ??= error instanceof Error ? error.message : String(error);
              },
            );
          }
          // Drain: until every send was answered and every delivery arrived, until nothing arrived
          // for 5 s once every send was answered, or until the bound after the last send.
          const drainEnd = Date.now() + drainSeconds * 1000;
          let last = -1;
          let lastProgress = Date.now();
          let drained = false;
          while (Date.now() < drainEnd) {
            const st = await load.request<LoadStatus>({ type: 'status' });
            const answered = replied === count;
            if (answered && st.received >= (count - failures) * subscribers) {
              drained = true;
              break;
            }
            if (st.received !== last) {
              last = st.received;
              lastProgress = Date.now();
            } else if (answered && Date.now() - lastProgress > 5_000) break;
            await sleep(100);
          }
          // A send still unanswered at the bound counts as sent (it is queued in the store).
          const sent = count - failures;
          const unanswered = count - replied;
          const expected = sent * subscribers;
          const result = await load.request<LoadResult>({ type: 'stop' });
          windows.push({ server, subscribers, rate, startUs: firstSendUs, endUs: nowUs() });
          clearInterval(rssTimer);
          const wallSeconds = (Date.now() - wall0) / 1000;
          const requests = { ...stack.subgraphRequests.byName };
          const sorted = sendLatencies.sort((a, b) => a - b);
          const elapsed = result.received ? (result.lastUs - firstSendUs) / 1e6 : NaN;
          const row: CaseResult = {
            server,
            subscribers,
            rate,
            sent,
            storedPerSecond: sendLatencies.length / ((lastReplyUs - firstSendUs) / 1e6),
            sendFailures: failures,
            unanswered,
            firstSendError,
            expected,
            load: result,
            deliveriesPerSecond: result.received / elapsed,
            drained,
            rssPeakMb: Math.max(rssPeak, rssMb(serverPid)),
            rssEndMb: rssMb(serverPid),
            serverCpuPct: ((cpuSeconds(serverPid) - cpu0) / wallSeconds) * 100,
            loadCpuPct: ((cpuSeconds(load.process.pid!) - loadCpu0) / wallSeconds) * 100,
            requestsPerMessage:
              server === 'stagelives' && sent > 0
                ? Object.fromEntries(Object.entries(requests).map(([name, n]) => [name, (name === 'chat' ? n - (count - unsent) : n) / sent]))
                : null,
            sendP50Ms: server === 'stagelives' ? percentile(sorted, 0.5) : null,
            sendP99Ms: server === 'stagelives' ? percentile(sorted, 0.99) : null,
          };
          results.push(row);
          console.log(
            `  ${server} ${subscribers} subs × ${rate} msg/s: ${result.received}/${expected} deliveries, ${Math.round(row.deliveriesPerSecond)}/s, p50 ${round(result.p50Ms, 1)} ms, p99 ${round(result.p99Ms, 1)} ms, ` +
              `RSS peak ${round(row.rssPeakMb)} MB, cpu ${round(row.serverCpuPct)}% (load ${round(row.loadCpuPct)}%)` +
              (failures ? `, ${failures} sends failed (${firstSendError})` : '') +
              (result.firstError ? `, client error: ${result.firstError}` : ''),
          );
        }
        await load.request({ type: 'close' });
      }
    }

    if (profileDir)
      writeFileSync(
        join(profileDir, 'fanout-cases.json'),
        `${JSON.stringify({ clock: 'process.hrtime µs (CLOCK_MONOTONIC, as the profile timestamps)', windows }, null, 2)}\n`,
      );
    return { failed: report(results) };
  } finally {
    // A router still delivering a backlog (to closed sockets) may not finish its graceful shutdown
    // in time, and a killed process writes no CPU profile: let it go quiet first.
    const routerChild = children[0];
    if (profileDir && routerChild?.process.exitCode === null) await waitQuiet([routerChild.process.pid!], () => true, 120_000);
    for (const child of children.reverse()) await child.stop();
    if (routerLog.lines > routerLog.shown)
      console.log(`(router wrote ${routerLog.lines} log lines at warn or above; ${routerLog.slowConsumers} slow-consumer closes)`);
    if (profileDir) console.log(`router CPU profile written under ${profileDir}`);
  }
}

/** Prints the tables; returns whether a target failed. */
function report(results: CaseResult[]): boolean {
  const ours = results.filter((r) => r.server === 'stagelives');
  const peerOf = (r: CaseResult) => results.find((p) => p.server === 'peer' && p.subscribers === r.subscribers && p.rate === r.rate);
  const ratio = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b !== undefined && b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '–';

  console.log(
    '\nChat fan-out: one room, messages on a fixed schedule; latency from send to receipt (stagelives: sendMessage through the router; peer: Redis publish)',
  );
  console.table(
    results.map((r) => ({
      server: r.server,
      subs: r.subscribers,
      'msg/s': r.rate,
      sent: r.sent,
      'sent/s': round(r.storedPerSecond, 1),
      'send fail': r.sendFailures,
      unanswered: r.unanswered,
      expected: r.expected,
      received: r.load.received,
      lost: r.expected - r.load.received,
      drained: r.drained ? 'yes' : 'no',
      dup: r.load.duplicates,
      'deliv/s': round(r.deliveriesPerSecond),
      'p50 ms': round(r.load.p50Ms, 1),
      'p99 ms': round(r.load.p99Ms, 1),
      'max ms': round(r.load.maxMs, 0),
      'send p99 ms': round(r.sendP99Ms, 1),
      'RSS peak MB': round(r.rssPeakMb),
      'RSS end MB': round(r.rssEndMb),
      'cpu %': round(r.serverCpuPct),
      'load cpu %': round(r.loadCpuPct),
      'subgraph req/msg': r.requestsPerMessage
        ? round(
            Object.values(r.requestsPerMessage).reduce((a, b) => a + b, 0),
            2,
          )
        : '–',
      closes:
        Object.entries(r.load.closes)
          .map(([c, n]) => `${c}×${n}`)
          .join(' ') || '',
    })),
  );
  for (const r of ours) {
    if (r.requestsPerMessage) {
      const parts = Object.entries(r.requestsPerMessage)
        .filter(([, n]) => Math.abs(n) > 0.001)
        .map(([name, n]) => `${name} ${n.toFixed(2)}`);
      console.log(`  subgraph requests per message beyond sendMessage's own, ${r.subscribers} subs × ${r.rate} msg/s: ${parts.join(', ') || '0'}`);
    }
  }

  if (results.some((r) => r.server === 'peer')) {
    console.log('\nstagelives / peer (deliveries/s: higher is better; p99: lower is better)');
    console.table(
      ours.map((r) => {
        const p = peerOf(r);
        return {
          subs: r.subscribers,
          'msg/s': r.rate,
          'ours deliv/s': round(r.deliveriesPerSecond),
          'peer deliv/s': round(p?.deliveriesPerSecond),
          'deliv/s ratio': ratio(r.deliveriesPerSecond, p?.deliveriesPerSecond),
          'ours p99 ms': round(r.load.p99Ms, 1),
          'peer p99 ms': round(p?.load.p99Ms, 1),
          'p99 ratio': ratio(r.load.p99Ms, p?.load.p99Ms),
          'ours RSS peak MB': round(r.rssPeakMb),
          'peer RSS peak MB': round(p?.rssPeakMb),
        };
      }),
    );
  }

  const t = FANOUT_TARGETS;
  const checks: Array<{ target: string; measured: string; verdict: string }> = [];
  const atTarget = ours.filter((r) => r.subscribers === t.subscribers);
  if (atTarget.length) {
    const best = atTarget.reduce((a, b) => (b.deliveriesPerSecond > a.deliveriesPerSecond ? b : a));
    const p = peerOf(best);
    checks.push({
      target: `≥ ${t.minDeliveriesPerSecond} deliveries/s at ${t.subscribers} subscribers (best case)`,
      measured: `${Math.round(best.deliveriesPerSecond)}/s at ${best.rate} msg/s (peer ${p ? Math.round(p.deliveriesPerSecond) : '–'}/s, ${ratio(best.deliveriesPerSecond, p?.deliveriesPerSecond)})`,
      verdict: best.deliveriesPerSecond >= t.minDeliveriesPerSecond ? 'PASS' : 'FAIL',
    });
  } else {
    checks.push({
      target: `≥ ${t.minDeliveriesPerSecond} deliveries/s at ${t.subscribers} subscribers`,
      measured: 'not measured (BENCH_FANOUT_SUBSCRIBERS)',
      verdict: 'n/a',
    });
  }
  const latencyCase = ours.find((r) => r.subscribers === t.subscribers && r.rate === t.p99Rate);
  if (latencyCase) {
    const p = peerOf(latencyCase);
    const clean = latencyCase.expected === latencyCase.load.received && latencyCase.load.duplicates === 0 && latencyCase.sendFailures === 0;
    checks.push({
      target: `p99 < ${t.maxP99Ms} ms at ${t.subscribers} subscribers, ${t.p99Rate} msg/s, every delivery once`,
      measured: `p99 ${round(latencyCase.load.p99Ms, 1)} ms (peer ${round(p?.load.p99Ms, 1)} ms, ${ratio(latencyCase.load.p99Ms, p?.load.p99Ms)}), lost ${latencyCase.expected - latencyCase.load.received}, dup ${latencyCase.load.duplicates}`,
      verdict: latencyCase.load.p99Ms < t.maxP99Ms && clean ? 'PASS' : 'FAIL',
    });
  } else {
    checks.push({
      target: `p99 < ${t.maxP99Ms} ms at ${t.subscribers} subscribers, ${t.p99Rate} msg/s`,
      measured: 'not measured (BENCH_FANOUT_SUBSCRIBERS / RATES)',
      verdict: 'n/a',
    });
  }
  const held = ours.filter((r) => r.subscribers >= t.heldSubscribers && r.rate === t.p99Rate);
  const holds = (r: CaseResult) =>
    r.load.p99Ms < t.maxP99Ms && r.expected === r.load.received && r.load.duplicates === 0 && r.sendFailures === 0 && r.rssPeakMb <= t.maxRssMb;
  checks.push({
    target: `≥ ${t.heldSubscribers} subscribers held at ${t.p99Rate} msg/s: p99 < ${t.maxP99Ms} ms, none lost, RSS peak ≤ ${t.maxRssMb} MB`,
    measured: held.length
      ? held
          .map((r) => `${r.subscribers}: p99 ${round(r.load.p99Ms, 1)} ms, lost ${r.expected - r.load.received}, RSS peak ${round(r.rssPeakMb)} MB`)
          .join('; ')
      : `not measured (BENCH_FANOUT_SUBSCRIBERS ≥ ${t.heldSubscribers}, RATES with ${t.p99Rate})`,
    verdict: held.length ? (held.some(holds) ? 'PASS' : 'FAIL') : 'n/a',
  });
  const duplicated = ours.filter((r) => r.load.duplicates > 0);
  checks.push({
    target: 'no duplicate deliveries (every case)',
    measured: duplicated.length ? duplicated.map((r) => `${r.subscribers}×${r.rate}: ${r.load.duplicates}`).join(', ') : 'none',
    verdict: duplicated.length ? 'FAIL' : 'PASS',
  });
  console.log('\nFan-out targets (per router process)');
  console.table(checks);
  saveResults('fanout', { cases: results, targets: checks });
  return checks.some((c) => c.verdict === 'FAIL');
}
