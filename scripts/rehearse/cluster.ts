/**
 * The rehearsal's cluster. One FerretDB, one redis-server and the local FCM server
 * (@stagelives/devkit), in a temp dir; 2 routers, 2 of each subgraph, 2 workers from the
 * production build: `node --conditions=stagelives-dist <pkg>/dist/index.js`, NODE_ENV=production,
 * configuration from the environment only (each process gets exactly `common` below, its own
 * variables and PATH), each on a fixed loopback port so a restart takes its place, its output in
 * `<dir>/<name>.log`. A round-robin TCP proxy per subgraph (the routers' SUBGRAPH_URLS point at it)
 * and one in front of the routers for clients.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import {
  announcedPort,
  cpuSeconds,
  forkNode,
  freePort,
  startFerretDB,
  startLocalFcmServer,
  startRedis,
  stopChild,
  unsentMailEnv,
  type ChildService,
  type LocalFcmServer,
} from '@stagelives/devkit';
import { SUBGRAPH_NAMES } from '@stagelives/schema';
import { localFcmEnv } from '@stagelives/workers/notifications';
import { ADMIN, DB_PREFIX, say, since } from './config.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './proxy.js';

/** One process of the cluster, across its restarts. */
export interface Proc {
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

export interface Cluster {
  /** Where the data services and the logs are. */
  dir: string;
  ferret: ChildService;
  redis: ChildService;
  fcm: LocalFcmServer;
  /** The variables every process gets. */
  common: Record<string, string>;
  procs: Proc[];
  /** Per subgraph name, its two replicas. */
  subgraphs: Record<string, Proc[]>;
  subgraphProxies: Record<string, RoundRobinProxy>;
  routers: Proc[];
  workers: Proc[];
  /** The proxy clients go through, in front of the routers (once `startCluster` got that far). */
  front?: RoundRobinProxy;
}

/** Starts the data services in `dir` and lays the processes out (ports, environment, the subgraphs' proxies); starts none of them. */
export async function planCluster(dir: string): Promise<Cluster> {
  const ferret = await startFerretDB({ dataDir: join(dir, 'ferretdb') });
  const redis = await startRedis();
  const fcm = await startLocalFcmServer();
  say(`FerretDB ${ferret.url}, Redis ${redis.url}, FCM ${fcm.info.url}; logs in ${dir}`);
  const cluster: Cluster = {
    dir,
    ferret,
    redis,
    fcm,
    common: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      MONGODB_URI: ferret.url,
      MONGODB_DB_PREFIX: DB_PREFIX,
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'rh:',
      IDENTITY_SECRET: randomBytes(32).toString('hex'),
      ...unsentMailEnv(),
      ADMIN_EMAILS: ADMIN,
      SHUTDOWN_DELAY_MS: '500',
    },
    procs: [],
    subgraphs: {},
    subgraphProxies: {},
    routers: [],
    workers: [],
  };
  const make = async (name: string, kind: Proc['kind'], entry: string, env: (port: number) => Record<string, string>): Promise<Proc> => {
    const port = await freePort();
    const proc: Proc = { name, kind, entry, port, env: env(port), log: createWriteStream(join(dir, `${name}.log`)), startMs: [] };
    cluster.procs.push(proc);
    return proc;
  };
  for (const name of SUBGRAPH_NAMES) {
    const replicas: Proc[] = [];
    for (const r of [0, 1]) {
      replicas.push(
        await make(`${name}-${'ab'[r]}`, 'subgraph', `subgraphs/${name}/dist/index.js`, (port) => ({
          SUBGRAPH_PORT: String(port),
          SUBGRAPH_HOST: '127.0.0.1',
          FIELD_RATE_LIMIT_FACTOR: '100000',
        })),
      );
    }
    cluster.subgraphs[name] = replicas;
    cluster.subgraphProxies[name] = await startRoundRobinProxy(replicas.map((p) => p.port));
  }
  const subgraphUrls = SUBGRAPH_NAMES.map((n) => `${n}=http://127.0.0.1:${cluster.subgraphProxies[n]!.port}/graphql`).join(',');
  for (const r of [0, 1]) {
    cluster.routers.push(
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
  for (const r of [0, 1]) {
    cluster.workers.push(
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
  return cluster;
}

/** Starts every process, subgraphs first (the routers' readiness includes theirs), then the clients' proxy; resolves with its port. */
export async function startCluster(cluster: Cluster): Promise<number> {
  // Two at a time of each kind.
  for (const name of SUBGRAPH_NAMES) await Promise.all(cluster.subgraphs[name]!.map((p) => startProc(cluster, p)));
  await Promise.all(cluster.routers.map((p) => startProc(cluster, p)));
  await Promise.all(cluster.workers.map((p) => startProc(cluster, p)));
  cluster.front = await startRoundRobinProxy(cluster.routers.map((p) => p.port));
  say(`${cluster.procs.length} processes up at ${since()}; clients → :${cluster.front.port} → routers :${cluster.routers.map((r) => r.port).join(', :')}`);
  return cluster.front.port;
}

/** Starts (or restarts) a process on its port; resolves once it listens, recording how long that took. */
export async function startProc(cluster: Cluster, proc: Proc): Promise<void> {
  const began = Date.now();
  proc.child = forkNode(proc.entry, {
    execArgv: ['--conditions=stagelives-dist'],
    env: { ...cluster.common, ...proc.env },
    onLine: (line) => proc.log.write(`${line}\n`),
  });
  try {
    await announcedPort(proc.child, proc.name, { timeoutMs: 30_000 });
  } catch (error) {
    // Its output is in its log, whole.
    throw new Error(`${(error as Error).message.split('\n')[0]} (see ${join(cluster.dir, `${proc.name}.log`)})`);
  }
  proc.startMs.push(Date.now() - began);
}

/** SIGKILL; resolves once the process is gone. */
export function killProc(proc: Proc): Promise<void> {
  const child = proc.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function stopProc(proc: Proc): Promise<void> {
  // A replica left stopped (SIGSTOP) would not see SIGTERM until resumed.
  if (proc.child && proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGCONT');
  return proc.child ? stopChild(proc.child, 20_000) : Promise.resolve();
}

/** Stops the routers first (one at a time), then the workers, then the rest; then the proxies and the data services. */
export async function stopCluster(cluster: Cluster): Promise<void> {
  for (const r of cluster.routers) await stopProc(r);
  await Promise.all(cluster.workers.map(stopProc));
  await Promise.all(cluster.procs.map(stopProc));
  await cluster.front?.close();
  for (const p of Object.values(cluster.subgraphProxies)) await p.close();
  await cluster.fcm.close();
  await cluster.redis.stop();
  await cluster.ferret.stop();
}

/** CPU seconds used by each kind of process while it runs (sampled every 500 ms from /proc). */
export function cpuSampler(cluster: Cluster): { stop(): Record<string, number> } {
  const last = new Map<number, number>();
  const totals: Record<string, number> = {};
  const kinds = (): Array<[string, number | undefined]> => [
    ['FerretDB', cluster.ferret.child.pid],
    ['Redis', cluster.redis.child.pid],
    ...cluster.procs.map((p): [string, number | undefined] => [
      p.kind === 'subgraph' ? 'subgraphs (12)' : p.kind === 'router' ? 'routers (2)' : 'workers (2)',
      p.child?.pid,
    ]),
  ];
  const sample = () => {
    for (const [kind, pid] of kinds()) {
      if (!pid) continue;
      const now = cpuSeconds(pid);
      if (Number.isNaN(now)) continue;
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
      return { ...totals, 'load generator': (mine.user + mine.system) / 1e6 };
    },
  };
}
