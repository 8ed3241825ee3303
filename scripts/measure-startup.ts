/**
 * `npm run measure:startup`: start-up time and memory of every process, development (tsx over
 * src/) against production (plain node over the build), for the table in docs/production.md. Needs
 * `npm run build` first. Starts FerretDB and redis-server (unless MONGODB_URI / REDIS_URL) and the
 * local FCM server like the tests, then starts each process alone, RUNS times per mode (default 3,
 * one at a time), and reports medians:
 *   - ready: from spawn to the process announcing its listening port (config read, MongoDB and
 *     Redis connected, indexes ensured, schema built, port bound);
 *   - RSS: resident memory 3 s after that, idle.
 * The router runs against production subgraphs started first. Two shared cores: figures move by
 * ±10–20 % from run to run; compare the columns, not the digits.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, forkService, rssMb, unsentMailEnv, startLocalFcmServer, startMissingServices, stopChild, type ForkedService } from '@stagelives/devkit';
import { SUBGRAPH_NAMES } from '../schema/src/subgraph-names.js';
import { localFcmEnv } from '../workers/src/push/push.config.js';

const RUNS = Number(process.env.RUNS ?? 3);
type Mode = 'dev' | 'production';

if (!existsSync(join(ROOT, 'router/dist/index.js'))) {
  console.error('run `npm run build` first');
  process.exit(1);
}

const services = await startMissingServices({ mongoUri: process.env.MONGODB_URI, redisUrl: process.env.REDIS_URL });
const fcm = await startLocalFcmServer({});
const baseEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  MONGODB_URI: services.mongoUri,
  REDIS_URL: services.redisUrl,
  REDIS_PREFIX: `measure${randomBytes(3).toString('hex')}:`,
  MONGODB_DB_PREFIX: `measure_${randomBytes(3).toString('hex')}_`,
  IDENTITY_SECRET: randomBytes(32).toString('hex'),
  ...unsentMailEnv(),
  LOG_LEVEL: 'warn',
  SHUTDOWN_DELAY_MS: '0',
  ...localFcmEnv(fcm.info),
};

/** Forks a package's entry as `mode` runs it; resolves once it listens. Its stderr shows here, its logs (stdout) do not. */
function startProcess(mode: Mode, pkg: string, env: Record<string, string>): Promise<ForkedService> {
  return forkService(`${pkg} (${mode})`, join(pkg, mode === 'dev' ? 'src/index.ts' : 'dist/index.js'), {
    execArgv: mode === 'dev' ? [] : ['--conditions=stagelives-dist'],
    env: { ...baseEnv, NODE_ENV: mode === 'dev' ? 'development' : 'production', ...env },
    onLine: (line, stream) => {
      if (stream === 'stderr') process.stderr.write(`${line}\n`);
    },
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(mode: Mode, pkg: string, env: Record<string, string> = {}) {
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { child, readyMs } = await startProcess(mode, pkg, env);
    times.push(readyMs);
    await new Promise((r) => setTimeout(r, 3_000));
    rss.push(rssMb(child.pid!));
    await stopChild(child);
  }
  return { ms: median(times), rss: median(rss) };
}

// Production subgraphs for the router to point at (listening is what is measured; they make readiness real).
const subgraphs: Array<{ name: string; child: ChildProcess; url: string }> = [];
for (const name of SUBGRAPH_NAMES) {
  const { child, port } = await startProcess('production', `subgraphs/${name}`, { SUBGRAPH_PORT: '0' });
  subgraphs.push({ name, child, url: `http://127.0.0.1:${port}/graphql` });
}
const routerEnv = { PORT: '0', SUBGRAPH_URLS: subgraphs.map((s) => `${s.name}=${s.url}`).join(',') };

const rows: string[] = [];
const targets: Array<[string, string, Record<string, string>]> = [
  ['router', 'router', routerEnv],
  ...SUBGRAPH_NAMES.map((n): [string, string, Record<string, string>] => [`subgraph ${n}`, `subgraphs/${n}`, { SUBGRAPH_PORT: '0' }]),
  ['workers', 'workers', { WORKERS_PORT: '0' }],
];
try {
  for (const [label, pkg, env] of targets) {
    const dev = await measure('dev', pkg, env);
    const prod = await measure('production', pkg, env);
    const row = `| ${label} | ${(dev.ms / 1000).toFixed(2)} s | ${(prod.ms / 1000).toFixed(2)} s | ${Math.round(dev.rss)} MiB | ${Math.round(prod.rss)} MiB |`;
    console.log(row);
    rows.push(row);
  }
} finally {
  await Promise.all(subgraphs.map((s) => stopChild(s.child)));
  await fcm.close();
  await services.stop();
}
console.log(
  [
    '',
    `Node ${process.version}, ${RUNS} runs each, medians:`,
    '| process | ready, dev (tsx) | ready, production (node) | RSS, dev | RSS, production |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n'),
);
