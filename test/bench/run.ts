/**
 * `npm run bench`: throughput and latency through the real router, against real FerretDB and
 * Redis. Targets are checked here, never in tests; a FAIL sets a non-zero exit code.
 *
 * Environment:
 *   BENCH_ONLY         `http`, `fanout` or `notifications`: run only those scenarios (default: all)
 *   BENCH_SECONDS      duration of each HTTP scenario, seconds (default 5)
 *   BENCH_CONNECTIONS  autocannon connections of each HTTP scenario (default 10)
 *   BENCH_FANOUT_*     the chat fan-out scenario's settings: see fanout.ts
 *   BENCH_NOTIFY_*     the notifications scenario's settings: see notifications.ts
 */
import autocannon from 'autocannon';
import { startMissingServices } from '@stagelives/devkit';
import { createStack, ok, signUp, signUpAdmin, type Stack } from '../support/stack.js';
import { runFanout } from './fanout.js';
import { runNotifications } from './notifications.js';

interface Scenario {
  name: string;
  query: string;
  token?: string;
  /** Requests per second the scenario must sustain. */
  minRps: number;
  /** 99th-percentile latency it must stay under, ms. */
  maxP99Ms: number;
}

const only = process.env.BENCH_ONLY;
if (only && only !== 'http' && only !== 'fanout' && only !== 'notifications') throw new Error('BENCH_ONLY must be http, fanout or notifications');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);

async function runHttp(stack: Stack): Promise<{ failed: boolean }> {
  const admin = await signUpAdmin(stack);
  for (let i = 0; i < 60; i += 1) {
    await ok(
      stack,
      'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
      { input: { title: `Bench tour ${i}`, artist: `Artist ${i % 7}`, venue: 'Hall', startsAt: new Date(Date.UTC(2031, 0, 1 + i)).toISOString() } },
      { token: admin.token },
    );
  }
  const fan = await signUp(stack);
  const scenarios: Scenario[] = [
    { name: 'concerts page (20, anonymous)', query: '{ concerts(first: 20) { totalCount edges { node { id title artist startsAt status } } } }', minRps: 80, maxP99Ms: 300 },
    { name: 'concerts page + createdBy (users subgraph)', query: '{ concerts(first: 20) { edges { node { id title createdBy { nickname } } } } }', minRps: 60, maxP99Ms: 400 },
    { name: 'me (bearer session)', query: '{ me { id nickname } }', token: fan.token, minRps: 150, maxP99Ms: 200 },
  ];
  const rows = [];
  let failed = false;
  for (const s of scenarios) {
    const result = await autocannon({
      url: stack.url,
      method: 'POST',
      connections,
      duration: seconds,
      headers: { 'content-type': 'application/json', ...(s.token ? { authorization: `Bearer ${s.token}` } : {}) },
      body: JSON.stringify({ query: s.query }),
    });
    const rps = result.requests.average;
    const p99 = result.latency.p99;
    const pass = rps >= s.minRps && p99 <= s.maxP99Ms && result.non2xx === 0 && result.errors === 0;
    failed ||= !pass;
    rows.push({ scenario: s.name, 'req/s': Math.round(rps), 'p50 ms': result.latency.p50, 'p99 ms': p99, non2xx: result.non2xx, target: `≥${s.minRps} req/s, p99 ≤${s.maxP99Ms} ms`, verdict: pass ? 'PASS' : 'FAIL' });
  }
  console.table(rows);
  return { failed };
}

const services = await startMissingServices({ mongoUri: process.env.MONGODB_URI, redisUrl: process.env.REDIS_URL });
try {
  // The fan-out scenario sends hundreds of messages as one user: the chat subgraph's send limit is lifted.
  const stack = await createStack({ MONGODB_URI: services.mongoUri, REDIS_URL: services.redisUrl, CHAT_SEND_LIMIT: '1000000' });
  try {
    let failed = false;
    if (!only || only === 'http') failed = (await runHttp(stack)).failed || failed;
    if (!only || only === 'fanout') failed = (await runFanout(stack)).failed || failed;
    if (!only || only === 'notifications') failed = (await runNotifications({ mongoUri: services.mongoUri, redisUrl: services.redisUrl })).failed || failed;
    process.exitCode = failed ? 1 : 0;
  } finally {
    await stack.close();
  }
} finally {
  await services.stop();
}
// Exit explicitly: a router's ChatHub leaves its (never used) lazy Redis publisher connected at
// close (quit() on a client without an offline queue fails before it connects), and that
// connection keeps reconnecting to the Redis server stopped above, so the process would not end.
process.exit();
