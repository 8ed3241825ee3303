/**
 * `npm run rehearse`: the production build as a small cluster on this machine, under load, with
 * replicas killed — and a check that nothing stored was lost and no reminder was pushed twice.
 *
 * - One FerretDB, one redis-server and the local FCM server (@stagelives/devkit), in a temp dir.
 * - 2 routers, 2 of each subgraph, 2 workers: `node --conditions=stagelives-dist <pkg>/dist/index.js`,
 *   NODE_ENV=production, configuration from the environment only (each process gets exactly
 *   the variables of cluster.ts and PATH), each on a fixed loopback port so a restart takes its place.
 * - A round-robin TCP proxy per subgraph (the routers' SUBGRAPH_URLS point at it) and one in
 *   front of the routers for clients (HTTP and WebSocket), skipping a backend that refuses (proxy.ts).
 * - For REHEARSE_SECONDS (60): mixed HTTP load (queries, likes, chat messages, articles) from
 *   REHEARSE_CONCURRENCY (8) loops (load.ts); graphql-ws subscribers on every room through the
 *   proxy that reconnect and resume with `after` (subscribers.ts); ticket-open reminders due during
 *   the run. Meanwhile one router, one replica of each subgraph, the other router and one workers
 *   process are killed with SIGKILL and restarted; one replica of concerts is stopped (SIGSTOP)
 *   for REHEARSE_HANG_SECONDS (20), then resumed (chaos.ts; the schedule is in config.ts).
 * - Then it waits for the stack to settle and reports (verification.ts): client errors by kind,
 *   messages stored vs delivered to every subscriber (each stored message exactly once, in order),
 *   reminders stored vs pushes counted at the FCM server per (reminder, device); a second push is
 *   allowed only for the (reminder, device) pairs claimed but unconfirmed when the workers process
 *   was killed (the documented in-flight window). Exit 1 when something stored was lost, delivered
 *   twice, or pushed twice outside that window; 2 when the rehearsal itself failed.
 *
 * Not part of `npm test` (it takes about three minutes); `npm run rehearse` builds first
 * (REHEARSE_SKIP_BUILD=1: not). REHEARSE_KEEP=1 keeps the logs (kept anyway when it fails).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ROOT } from '@stagelives/devkit';
import { hang, hungReplica, runChaos } from './chaos.js';
import { httpGraphql } from './client.js';
import { type Cluster, cpuSampler, planCluster, startCluster, stopCluster } from './cluster.js';
import { CONCURRENCY, LOAD_SECONDS, say, since, sleep } from './config.js';
import { loadStats, runLoad, setUp } from './load.js';
import { startSubscribers, stopSubscribers } from './subscribers.js';
import { type Stores, rehearsalStores, report, settle } from './verification.js';

if (process.env.REHEARSE_SKIP_BUILD !== '1') {
  say('building (npm run build)');
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const dir = mkdtempSync(join(tmpdir(), 'sl-rehearse-'));
const cluster = await planCluster(dir);
const mongo = new MongoClient(cluster.ferret.url);
let exitCode = 1;
try {
  const frontPort = await startCluster(cluster);
  exitCode = (await rehearse(cluster, frontPort, rehearsalStores(mongo))) ? 1 : 0;
} catch (error) {
  say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exitCode = 2;
} finally {
  await mongo.close();
  await stopCluster(cluster);
  if (exitCode === 0 && process.env.REHEARSE_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  else say(`logs kept in ${dir}`);
}
process.exit(exitCode);

/** Setup, the load with its failures, settling, the report; resolves true when the verdict is FAILED. */
async function rehearse(cluster: Cluster, frontPort: number, stores: Stores): Promise<boolean> {
  const gql = httpGraphql(`http://127.0.0.1:${frontPort}/graphql`);
  const world = await setUp(gql);
  const subscribers = startSubscribers(`ws://127.0.0.1:${frontPort}/graphql`, world);
  await sleep(1_500);

  const stats = loadStats();
  const cpu = cpuSampler(cluster);
  stats.counting = true;
  const loadStart = Date.now();
  say(
    `load starts at ${since()} (${Math.round((loadStart - world.loadStartsAt) / 1000)} s after the planned start) for ${LOAD_SECONDS} s, ${CONCURRENCY} loops`,
  );
  const [, chaos] = await Promise.all([
    runLoad(gql, world, stats, loadStart + LOAD_SECONDS * 1000),
    runChaos(cluster, loadStart, stores.notifications),
    hang(cluster, loadStart, stats),
  ]);
  stats.counting = false;
  const cpuSeconds = cpu.stop();
  const loadSeconds = (Date.now() - loadStart) / 1000;
  say(`load done at ${since()}; settling`);

  const stored = await settle(stores, world, subscribers);
  await sleep(1_000);
  await stopSubscribers(subscribers);
  return report(stores, {
    world,
    stats,
    subscribers,
    stored,
    chaos,
    cpu: cpuSeconds,
    loadSeconds,
    hungName: hungReplica(cluster).name,
    fcm: cluster.fcm,
  });
}
