#!/usr/bin/env node
// `npm start`: the whole stack from the production build (`npm run build`) on one machine, with
// plain `node` — no tsx, no dev orchestrator, no data services. Each process runs exactly as its
// image does (`node --conditions=stagelives-dist <package>/dist/index.js`, NODE_ENV=production)
// with this process's environment, which must hold the configuration (MONGODB_URI, REDIS_URL,
// IDENTITY_SECRET, …; see docs/production.md): nothing is defaulted here.
//   - the subgraphs on loopback, each on a free port it reports back (SUBGRAPH_PORT=0);
//   - the router on PORT (default 4000), with SUBGRAPH_URLS naming those ports;
//   - the workers (their health/metrics port: WORKERS_PORT, default a free one).
// SIGTERM or SIGINT stops the router first (it drains), then the workers, then the subgraphs; a
// process that exits by itself stops the others and this exits 1 (let a supervisor restart it).
// Logs are the processes' own JSON lines, on this process's stdout.
// Under a supervisor, run `node scripts/start.mjs` itself: `npm start` does not pass SIGTERM on.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The subgraphs, as composed (schema/src/subgraph-names.ts), read from the build. */
const { SUBGRAPH_START_WAVES } = await import(join(root, 'schema/dist/subgraph-names.js')).catch(() => {
  console.error('[start] no production build: run `npm run build` first');
  process.exit(1);
});
const NODE_ARGS = ['--conditions=stagelives-dist'];
const say = (msg) => console.error(`[start] ${msg}`);

/** name → child, in start order. */
const children = new Map();
let stopping = false;

// Its own fork-and-wait, not @stagelives/devkit's forkService: plain node over the build cannot import devkit (TypeScript sources, a dev-only package).
function start(name, entry, env) {
  const file = join(root, entry);
  if (!existsSync(file)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const child = fork(file, [], {
    cwd: root,
    execArgv: NODE_ARGS,
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.set(name, child);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    say(`${name} exited (${signal ?? code}); stopping the stack`);
    void stopAll(1);
  });
  return new Promise((resolve, reject) => {
    child.on('message', (msg) => {
      if (msg?.type === 'listening' && typeof msg.port === 'number') resolve(msg.port);
    });
    child.once('exit', () => reject(new Error(`${name} exited before listening`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  // The router first: it stops taking requests and finishes those in flight while subgraphs still answer.
  const router = children.get('router');
  if (router) await stop(router);
  const workers = children.get('workers');
  if (workers) await stop(workers);
  await Promise.all([...children.values()].map(stop));
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  const urls = [];
  // In waves: a subgraph that calls others (SUBGRAPH_CALLS) starts once they listen, with their URLs.
  for (const wave of SUBGRAPH_START_WAVES) {
    const known = urls.map(([n, u]) => `${n}=${u}`).join(',');
    urls.push(
      ...(await Promise.all(
        wave.map(async (name) => [
          name,
          `http://127.0.0.1:${await start(name, `subgraphs/${name}/dist/index.js`, { SUBGRAPH_PORT: '0', SUBGRAPH_HOST: '127.0.0.1', SUBGRAPH_URLS: known })}/graphql`,
        ]),
      )),
    );
  }
  const port = await start('router', 'router/dist/index.js', { SUBGRAPH_URLS: urls.map(([n, u]) => `${n}=${u}`).join(',') });
  const workersPort = await start('workers', 'workers/dist/index.js', {});
  say(
    `stagelives (production build) on http://localhost:${port}/graphql; subgraphs: ${urls.map(([n, u]) => `${n} ${u}`).join(', ')}; workers' health on :${workersPort}`,
  );
} catch (error) {
  say(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
}
