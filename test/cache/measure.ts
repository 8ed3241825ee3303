// Side-by-side measurement of the anonymous concert page through the router, in one run:
// cache off + no fetch de-duplication (the old path), cache off + de-duplication, cache on.
// Run: npx tsx test/cache/measure.ts (FerretDB and Redis from MONGODB_URI / REDIS_URL, else started
// by devkit). Everything, the load generator included, shares this machine: compare rows, not machines.
import autocannon from 'autocannon';
import { startMissingServices } from '@stagelives/devkit';
import { createStack, ok, signUpAdmin } from '../support/stack.js';

const PAGE = JSON.stringify({ query: 'query Page { concerts(first: 20) { totalCount edges { node { id title artist venue startsAt status likeCount } } } }' });
const DURATION = Number(process.env.MEASURE_SECONDS ?? 10);

async function run(url: string) {
  const result = await autocannon({ url, method: 'POST', connections: 50, duration: DURATION, headers: { 'content-type': 'application/json' }, body: PAGE });
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

const services = await startMissingServices({ mongoUri: process.env.MONGODB_URI, redisUrl: process.env.REDIS_URL, onOutput: () => undefined });
const stack = await createStack({ MONGODB_URI: services.mongoUri, REDIS_URL: services.redisUrl, RESPONSE_CACHE: 'off', SUBGRAPH_FETCH_DEDUPE: 'off' });
try {
  const admin = await signUpAdmin(stack);
  for (let n = 0; n < 60; n += 1) {
    await ok(
      stack,
      'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
      { input: { title: `Bench ${n}`, artist: 'IU', venue: 'Hall', startsAt: new Date(Date.UTC(2035, 0, 1, n)).toISOString() } },
      { token: admin.token },
    );
  }
  const dedupe = await stack.extraRouter({ RESPONSE_CACHE: 'off', SUBGRAPH_FETCH_DEDUPE: 'on' });
  const cached = await stack.extraRouter({ RESPONSE_CACHE: 'on', SUBGRAPH_FETCH_DEDUPE: 'on' });
  const rows: Record<string, unknown> = {};
  for (const [name, url] of [
    ['uncached, no dedupe (before)', stack.url],
    ['uncached + dedupe', dedupe.url],
    ['cache on', cached.url],
    ['uncached, no dedupe (again)', stack.url],
    ['subgraph direct', stack.subgraphUrls.concerts!],
  ] as const) {
    stack.subgraphRequests.reset();
    const r = await run(url);
    rows[name] = { ...r, concertsSubgraphRequests: stack.subgraphRequests.byName.concerts };
  }
  console.table(rows);
  console.log('cache stats', cached.router.responseCache.stats);
} finally {
  await stack.close();
  await services.stop();
}
