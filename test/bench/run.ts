/**
 * `npm run bench`: throughput and latency of typical operations through the real router,
 * against real FerretDB and Redis, with autocannon. Targets are checked here, never in tests.
 * BENCH_SECONDS (default 5) and BENCH_CONNECTIONS (default 10) tune each run.
 */
import autocannon from 'autocannon';
import { startMissingServices } from '@stagelives/devkit';
import { createStack, ok, signUp, signUpAdmin } from '../support/stack.js';

interface Scenario {
  name: string;
  query: string;
  token?: string;
  /** Requests per second the scenario must sustain. */
  minRps: number;
  /** 99th-percentile latency it must stay under, ms. */
  maxP99Ms: number;
}

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const services = await startMissingServices({ mongoUri: process.env.MONGODB_URI, redisUrl: process.env.REDIS_URL });

try {
  const stack = await createStack({ MONGODB_URI: services.mongoUri, REDIS_URL: services.redisUrl });
  try {
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
    process.exitCode = failed ? 1 : 0;
  } finally {
    await stack.close();
  }
} finally {
  await services.stop();
}
