/**
 * After the load: waiting for the stack to settle (`settle`), then the report (`report`): the
 * kills, CPU, the hung replica's window, client errors by kind; messages stored vs delivered to
 * every subscriber (each stored message exactly once, in order); reminders stored vs pushes
 * counted at the FCM server per (reminder, device), a second push allowed only for the pairs
 * claimed but unconfirmed when the workers process was killed (the documented in-flight window).
 */
import { availableParallelism } from 'node:os';
import { type Db, type MongoClient, ObjectId } from 'mongodb';
import type { LocalFcmServer } from '@stagelives/devkit';
import { SUBGRAPH_NAMES } from '@stagelives/schema';
import { ledgerKey, notificationStore, type NotificationStore } from '@stagelives/notifications/store';
import type { ChaosOutcome } from './chaos.js';
import { CONCURRENCY, DB_PREFIX, HANG, LOAD_SECONDS, RESTART_AFTER, ROOMS, SUBSCRIBERS_PER_ROOM, say, sleep } from './config.js';
import type { LoadStats, World } from './load.js';
import type { Subscriber } from './subscribers.js';

/** The databases the checks read (the processes' `<DB_PREFIX><domain>`). */
export interface Stores {
  chat: Db;
  concerts: Db;
  notifications: NotificationStore;
}

export const rehearsalStores = (mongo: MongoClient): Stores => ({
  chat: mongo.db(`${DB_PREFIX}chat`),
  concerts: mongo.db(`${DB_PREFIX}concerts`),
  notifications: notificationStore(mongo.db(`${DB_PREFIX}notifications`)),
});

/** The seqs stored in each room after its first message. */
const storedSeqs = (stores: Stores, world: World): Promise<number[][]> =>
  Promise.all(
    world.rooms.map(async (room, r) =>
      (
        await stores.chat
          .collection('messages')
          .find({ roomId: new ObjectId(room) }, { projection: { seq: 1 } })
          .sort({ seq: 1 })
          .toArray()
      )
        .map((m) => m.seq as number)
        .filter((s) => s > world.hello[r]!.seq),
    ),
  );

const reminderCounts = async (stores: Stores, world: World) => {
  const { reminderConcerts } = world;
  return {
    likes: await stores.concerts.collection('likes').countDocuments({ concertId: { $in: reminderConcerts.map((id) => new ObjectId(id)) } }),
    sentOutcomes: await stores.notifications.reminders.outcomes.countDocuments({ concertId: { $in: reminderConcerts }, status: 'SENT' as never }),
  };
};

/**
 * Waits (at most 90 s) until every subscriber has as many messages as are stored, every like of a
 * reminder concert has its reminder, every reminder is SENT and no push is unconfirmed; resolves
 * with the seqs stored per room.
 */
export async function settle(stores: Stores, world: World, subscribers: Subscriber[]): Promise<number[][]> {
  const store = stores.notifications;
  const settleDeadline = Date.now() + 90_000;
  for (;;) {
    const stored = await storedSeqs(stores, world);
    const chatDone = subscribers.every((s) => s.seqs.length >= stored[s.roomIndex]!.length);
    const reminders = await store.reminders.reminders.countDocuments({ concertId: { $in: world.reminderConcerts } });
    const { likes, sentOutcomes } = await reminderCounts(stores, world);
    const unconfirmed = (await store.ledger.unconfirmed()).length;
    if (chatDone && reminders === likes && sentOutcomes >= reminders && unconfirmed === 0) return stored;
    if (Date.now() > settleDeadline) {
      say(
        `settle timed out: chat ${chatDone ? 'done' : 'behind'}, likes ${likes}, reminders ${reminders}, SENT ${sentOutcomes}, unconfirmed pushes ${unconfirmed}`,
      );
      return stored;
    }
    await sleep(1_000);
  }
}

/** What the run did and saw, for the report. */
export interface Run {
  world: World;
  stats: LoadStats;
  subscribers: Subscriber[];
  /** Seqs stored per room (`settle`). */
  stored: number[][];
  chaos: ChaosOutcome;
  /** CPU seconds per kind of process during the load. */
  cpu: Record<string, number>;
  loadSeconds: number;
  /** The replica HANG stopped. */
  hungName: string;
  fcm: LocalFcmServer;
}

/** Prints the report (Markdown, on stdout); resolves true when something stored was lost, delivered twice, or pushed twice outside the window. */
export async function report(stores: Stores, run: Run): Promise<boolean> {
  const chat = chatFigures(run);
  const reminders = await reminderFigures(stores, run);
  const failed = chat.failed || reminders.failed;
  const lines = [
    `## Rehearsal report (${new Date().toISOString()})`,
    '',
    `Production build, plain node: 2 routers, 2 × each of ${SUBGRAPH_NAMES.length} subgraphs, 2 workers; one FerretDB, one Redis, the local FCM server.`,
    `Load: ${run.loadSeconds.toFixed(0)} s, ${CONCURRENCY} HTTP loops through the proxy, ${run.subscribers.length} graphql-ws subscribers (${ROOMS} rooms × ${SUBSCRIBERS_PER_ROOM}).`,
    '',
    ...loadFigures(run),
    ...chat.lines,
    ...reminders.lines,
    '',
    `**Verdict**: ${failed ? 'FAILED — something stored was lost, delivered twice, or pushed twice outside the window' : 'nothing stored was lost; every stored message reached every subscriber exactly once, in order; no reminder was pushed twice outside the in-flight window'}.`,
  ];
  console.log(`\n${lines.join('\n')}\n`);
  return failed;
}

const pct = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]! : NaN);

/** The kills, CPU, the hung replica's window and the client requests. */
function loadFigures({ chaos, cpu, stats, loadSeconds, hungName }: Run): string[] {
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);
  out('| killed (SIGKILL) | at | restarted, ready after |');
  out('| --- | --- | --- |');
  for (const k of chaos.kills.sort((a, b) => a.killedAt - b.killedAt))
    out(`| ${k.what} | ${k.at} | ${RESTART_AFTER} s later; ready in ${Math.max(...k.readyAfterMs)} ms (slowest) |`);
  out();
  out(
    `**CPU during the load** (${LOAD_SECONDS} s on ${availableParallelism()} cores, from /proc): ${Object.entries(cpu)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')}.`,
  );
  out();
  const { hangWindow, otherMs, opCounts, errors } = stats;
  out(
    `**Hung replica** (${hungName} stopped with SIGSTOP for ${HANG.seconds} s at +${(HANG.at * LOAD_SECONDS).toFixed(0)} s; the proxy still sends it half of ${HANG.subgraph}'s requests): ${hangWindow.total} client requests in the window, ${hangWindow.failed} with an error (${((100 * hangWindow.failed) / Math.max(hangWindow.total, 1)).toFixed(1)} %); latency p50 ${pct(hangWindow.ms, 0.5).toFixed(0)} ms, p99 ${pct(hangWindow.ms, 0.99).toFixed(0)} ms, max ${Math.max(0, ...hangWindow.ms).toFixed(0)} ms (outside the window: p50 ${pct(otherMs, 0.5).toFixed(0)} ms, p99 ${pct(otherMs, 0.99).toFixed(0)} ms). Errors in the window: ${
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
  return lines;
}

/** Every stored message delivered to every subscriber of its room exactly once, in order. */
function chatFigures({ stored, subscribers, stats }: Run): { lines: string[]; failed: boolean } {
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
  const lines = [
    `**Chat**: ${stats.sent.attempted} sendMessage calls, ${stats.sent.acknowledged} acknowledged, ${storedTotal} stored (a call that failed on the wire may still have been stored; what is stored is what counts).`,
    `Deliveries: ${delivered} of ${expectedDeliveries} expected (every stored message × every subscriber of its room); missing ${missing}, duplicates ${duplicates}, out of order ${outOfOrder}.`,
    `Subscribers resumed with \`after\` ${resumes} times: ${
      Object.entries(closes)
        .map(([k, n]) => `${k} ×${n}`)
        .join(', ') || 'never'
    }.`,
    '',
  ];
  return { lines, failed: Boolean(missing || duplicates || outOfOrder) };
}

/** Every like of a reminder concert has its reminder, pushed to each of the fan's devices once (twice only inside the in-flight window). */
async function reminderFigures(stores: Stores, { world, chaos, fcm }: Run): Promise<{ lines: string[]; failed: boolean }> {
  const reminders = await stores.notifications.reminders.reminders.find({ concertId: { $in: world.reminderConcerts } }).toArray();
  const { likes, sentOutcomes } = await reminderCounts(stores, world);
  let pairs = 0;
  let pushedPairs = 0;
  let notPushed = 0;
  let twiceInWindow = 0;
  let twiceOutside = 0;
  for (const r of reminders) {
    for (const token of world.tokensOf.get(r.userId) ?? []) {
      pairs += 1;
      const n = fcm.countsBy(r._id.toHexString(), token);
      if (n === 0) notPushed += 1;
      else pushedPairs += 1;
      if (n > 1) {
        if (n === 2 && chaos.unconfirmedAtKill.has(ledgerKey(r._id.toHexString(), token))) twiceInWindow += 1;
        else twiceOutside += 1;
      }
    }
  }
  const lines = [
    `**Reminders**: ${likes} likes of the ${world.reminderConcerts.length} reminder concerts, ${reminders.length} reminders stored, ${sentOutcomes} SENT; ${pairs} (reminder, device) pushes due, ${pushedPairs} pushed, ${notPushed} not pushed.`,
    `FCM server: ${fcm.stats.accepted} pushes accepted, ${fcm.stats.sendRequests} send requests. Pushed twice: ${twiceInWindow} inside the in-flight window (${chaos.unconfirmedAtKill.size} pushes claimed but unconfirmed when the workers process was killed), ${twiceOutside} outside it.`,
  ];
  return { lines, failed: Boolean(reminders.length !== likes || notPushed || twiceOutside) };
}
