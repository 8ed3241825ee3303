/**
 * HTTP benchmark, peers side by side (part of `npm run bench`; alone: `BENCH_ONLY=http npm run bench`).
 *
 * One run seeds the graph once (2,000 concerts, 5,000 users, 20,000 articles, 20,000 comments,
 * likes, setlists: `peers/seed.ts`, straight into the databases in the repositories' shapes),
 * starts every subgraph in its own process (the production entry, run as the image runs it:
 * `BENCH_RUNTIME` in children.ts) over the same FerretDB, Redis and prefixes as the in-process stack, and measures each
 * scenario (`peers/scenarios.ts`) against each contender, one at a time, with autocannon in its
 * own process (`peers/load.ts`):
 *   1. subgraph — the subgraph called directly (the floor; for a scenario spanning several
 *      subgraphs only its root fetch, marked `root`; n/a when it has none);
 *   2. apollo — plain `@apollo/gateway` in Apollo Server's standalone server (`peers/apollo-gateway.ts`);
 *   3. hive — Hive Gateway, `@graphql-hive/gateway-runtime` on node:http (`peers/hive-gateway.ts`);
 *   4. router — the stagelives router (the production build unless BENCH_RUNTIME=tsx) with every defence on (rate limits
 *      with limits no run reaches, operation limits, CSRF, helmet, …), response cache off;
 *   5. router+cache — the same with the response cache on, once the router has one
 *      (`RESPONSE_CACHE` in router/src/config.ts); otherwise left out and reported as such;
 *   6. router+otel10, router+otel100 — the router with the cache off and OpenTelemetry tracing on,
 *      sampling 10 % and 100 % of traces, exporting over OTLP/HTTP to a sink that discards them
 *      (`peers/otlp-sink.ts`): the cost of tracing to the router, on `{ __typename }` and the
 *      concert pages only (TRACED_SCENARIOS). The subgraphs are shared by every contender and
 *      do not trace.
 * Each server is its own process, so RSS and CPU are per contender. Peers get signed-in
 * requests as the identity the router would sign (see scenarios.ts).
 *
 * Two regimes. Each measurement starts with a round: one request on each of 10 connections, every
 * answer awaited. When the round takes under half of BENCH_SECONDS, the contender is then
 * measured in a window (`window c50`: warm-up, then BENCH_SECONDS at 50 connections, duration
 * bound; what is still in flight at the end is abandoned by the client, answered by the servers
 * anyway, and the next run waits for the stack to go idle). Otherwise (uncached reads on FerretDB
 * at this seed take 1–3 s each today) the round itself is the measurement (`round c10`): a 50-
 * connection window would answer almost nothing and leave 50 expensive requests queued in
 * FerretDB for the next contender. Its req/s is answers / round time; its latencies are at 10
 * concurrent requests, not 50. The mode is printed beside every row.
 *
 * Prints a table per scenario (req/s, p50/p99, non-2xx, socket errors, GraphQL errors, RSS peak,
 * CPU of the contender, of the subgraphs and of FerretDB) with ratios to plain @apollo/gateway
 * and to Hive Gateway, then the issue's targets with PASS/FAIL (reported, never asserted: the
 * exit code is not changed by them). Writes bench/results/<timestamp>.json, latest.json,
 * latest.svg (req/s per scenario per contender) and latest.png (the SVG rendered by chromium,
 * when /usr/bin/chromium is there).
 *
 * Environment:
 *   BENCH_SECONDS          measured seconds per contender and scenario (default 6)
 *   BENCH_WARMUP_SECONDS   unmeasured load before each window, on the probe's connections (default 2; the
 *                          shapes scenario warms up on other operations)
 *   BENCH_CONNECTIONS      autocannon connections of a window (default 50, as the issue measured)
 *   BENCH_PROBE_CONNECTIONS  connections of the first round (default 10), see "Two regimes" below
 *   BENCH_TIMEOUT_SECONDS  a request unanswered this long counts as an error (default 30)
 *   BENCH_DRAIN_SECONDS    after each run, the longest wait for the contender, the subgraphs and FerretDB to go
 *                          idle (default 20): servers keep answering what a run left in flight, and that work
 *                          must not land in the next contender's run. A run that could not drain is marked.
 *   BENCH_SCENARIOS        comma-separated scenario keys (default all: trivial,page,page4,page4-hung,article,me,like,deep,shapes)
 *   BENCH_CONTENDERS       comma-separated contenders (default all: subgraph,apollo,hive,router,router+cache)
 *   BENCH_SHAPES           distinct operations of the shapes scenario (default 500)
 *   BENCH_SEED_SCALE       multiplies every seeded count (default 1; 0.1 for a quick try)
 *   BENCH_BASELINE         a results JSON of an earlier run: "today's" req/s for the targets come
 *                          from its router (cache off) rows instead of the issue's figures
 *   BENCH_PNG              0: no PNG rendering
 *   BENCH_TRACING          0: leave out the traced router contenders
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SUBGRAPH_NAMES, SUPERGRAPH_PATH } from '@stagelives/schema';
import { routerEnv } from '@stagelives/router/config';
import type { Stack } from '../support/stack.js';
import { cpuSeconds, rssMb } from '@stagelives/devkit';
import { forkEntry, forkPackage, pidsMatching, waitListening, type Child } from './children.js';
import type { LoadResult, Variant } from './peers/load.js';
import { report, type ContenderInfo, type Measurement } from './peers/report.js';
import { buildScenarios, type ContenderKind } from './peers/scenarios.js';
import { DEFAULT_COUNTS, seed, unseed, type SeedCounts } from './peers/seed.js';
import { startOtlpSink } from './peers/otlp-sink.js';

/** The scenarios the traced router contenders run: the cost of tracing on the lightest request and on the concert pages. */
const TRACED_SCENARIOS = ['trivial', 'page', 'page4'];

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number`);
  return v;
};
const listOf = (name: string): string[] | null => {
  const raw = process.env[name];
  return raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
};

/** Whether the router has a response cache to switch (another change adds it). */
const RESPONSE_CACHE_VAR = 'RESPONSE_CACHE';
export const routerHasResponseCache = () => RESPONSE_CACHE_VAR in routerEnv;

interface Contender extends ContenderInfo {
  kind: ContenderKind;
  /** Base URL of its GraphQL endpoint; for `subgraph`, per subgraph. */
  url: (subgraph: string) => string;
  pid: (subgraph: string) => number;
  /** The scenarios it runs (all when absent). */
  scenarios?: string[];
}

export async function runPeers(stack: Stack): Promise<{ failed: boolean }> {
  const seconds = num('BENCH_SECONDS', 6);
  const warmup = num('BENCH_WARMUP_SECONDS', 2);
  const connections = num('BENCH_CONNECTIONS', 50);
  const shapeCount = num('BENCH_SHAPES', 500);
  const timeoutSeconds = num('BENCH_TIMEOUT_SECONDS', 30);
  const drainSeconds = num('BENCH_DRAIN_SECONDS', 20);
  const probeSize = Math.max(1, num('BENCH_PROBE_CONNECTIONS', 10));
  const scale = num('BENCH_SEED_SCALE', 1);
  const onlyScenarios = listOf('BENCH_SCENARIOS');
  const onlyContenders = listOf('BENCH_CONTENDERS');
  const counts: SeedCounts = Object.fromEntries(
    Object.entries(DEFAULT_COUNTS).map(([k, v]) => [
      k,
      k === 'setlistShare' || k === 'commentsPerArticle' || k === 'sessions' ? v : Math.max(1, Math.round(v * scale)),
    ]),
  ) as unknown as SeedCounts;
  if (counts.concerts < 1100) console.log(`(BENCH_SEED_SCALE ${scale}: the like scenario uses concerts from index ${Math.min(1000, counts.concerts - 1)} on)`);

  const started = Date.now();
  console.log(
    `\nHTTP side by side: seeding ${counts.concerts} concerts, ${counts.users} users, ${counts.articles} articles, ${counts.comments} comments, ${counts.concertLikes + counts.articleLikes} likes…`,
  );
  const seeded = await seed(stack, counts);
  console.log(`  seeded in ${seeded.seconds.toFixed(1)} s`);

  const children: Child[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const dir = mkdtempSync(join(tmpdir(), 'stagelives-bench-'));
  try {
    // --- Subgraphs, one process each, over the stack's databases and Redis prefix. ---
    const baseEnv = { ...process.env, ...stack.env, LOG_LEVEL: 'warn' };
    const subgraphUrls: Record<string, string> = {};
    const subgraphPids: Record<string, number> = {};
    const subgraphChildren: Record<string, Child> = {};
    await Promise.all(
      SUBGRAPH_NAMES.map(async (name) => {
        const child = forkPackage(name, `subgraphs/${name}`, { ...baseEnv, SUBGRAPH_PORT: '0' });
        children.push(child);
        subgraphUrls[name] = `http://127.0.0.1:${await waitListening(child)}/graphql`;
        subgraphPids[name] = child.process.pid!;
        subgraphChildren[name] = child;
      }),
    );

    // --- The supergraph with this run's URLs, for the peers. ---
    const supergraphFile = join(dir, 'supergraph.graphql');
    writeFileSync(
      supergraphFile,
      readFileSync(SUPERGRAPH_PATH, 'utf8').replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (whole, name: string) =>
        subgraphUrls[name] ? `@join__graph(name: "${name}", url: "${subgraphUrls[name]}")` : whole,
      ),
    );

    // --- Contenders. ---
    const contenders: Contender[] = [
      {
        id: 'subgraph',
        label: 'subgraph direct',
        kind: 'subgraph',
        url: (s) => subgraphUrls[s]!,
        pid: (s) => subgraphPids[s]!,
      },
    ];
    /** `entry`: a peer's TypeScript file, or `router` (ours, as BENCH_RUNTIME says). */
    const startServer = async (
      id: string,
      label: string,
      kind: ContenderKind,
      entry: string,
      env: Record<string, string | undefined>,
      scenarios?: string[],
    ) => {
      if (onlyContenders && !onlyContenders.includes(id)) return;
      const child = entry === 'router' ? forkPackage(id, 'router', env) : forkEntry(id, entry, env);
      children.push(child);
      const port = await waitListening(child);
      contenders.push({ id, label, kind, url: () => `http://127.0.0.1:${port}/graphql`, pid: () => child.process.pid!, scenarios });
    };
    const peerEnv = { ...process.env, NODE_ENV: 'production', SUPERGRAPH_FILE: supergraphFile };
    await startServer('apollo', '@apollo/gateway', 'gateway', 'test/bench/peers/apollo-gateway.ts', peerEnv);
    await startServer('hive', 'Hive Gateway', 'gateway', 'test/bench/peers/hive-gateway.ts', peerEnv);
    const routerBase = {
      ...baseEnv,
      SUBGRAPH_URLS: Object.entries(subgraphUrls)
        .map(([n, u]) => `${n}=${u}`)
        .join(','),
      PORT: '0',
      HOST: '127.0.0.1',
      // Rate limits stay on (every request consumes its points in Redis) with limits no run reaches.
      RATE_LIMIT_PUBLIC_READ: '1000000000',
      RATE_LIMIT_DEFAULT: '1000000000',
      RATE_LIMIT_AUTH: '1000000000',
    };
    const cacheAvailable = routerHasResponseCache();
    if (cacheAvailable) {
      await startServer('router', 'stagelives (cache off)', 'router', 'router', { ...routerBase, [RESPONSE_CACHE_VAR]: 'off' });
      // "On" is the router's default: the variable is left unset.
      const { [RESPONSE_CACHE_VAR]: _unset, ...onEnv } = routerBase as Record<string, string | undefined>;
      await startServer('router+cache', 'stagelives (cache on)', 'router', 'router', onEnv);
    } else {
      await startServer('router', 'stagelives', 'router', 'router', routerBase);
      // CACHE ON: the router has no response cache yet (no RESPONSE_CACHE in router/src/config.ts);
      // once it does, the branch above runs both. Reported as "not available".
    }
    if (process.env.BENCH_TRACING !== '0') {
      const sink = await startOtlpSink();
      cleanups.push(() => sink.close());
      const traced = { ...routerBase, [RESPONSE_CACHE_VAR]: 'off', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url };
      await startServer('router+otel10', 'stagelives, traced 10 %', 'router', 'router', { ...traced, OTEL_TRACES_SAMPLER_ARG: '0.1' }, TRACED_SCENARIOS);
      await startServer('router+otel100', 'stagelives, traced 100 %', 'router', 'router', { ...traced, OTEL_TRACES_SAMPLER_ARG: '1' }, TRACED_SCENARIOS);
    }
    const measuredContenders = contenders.filter((c) => !onlyContenders || onlyContenders.includes(c.id));

    const load = forkEntry('load', 'test/bench/peers/load.ts', { ...process.env });
    children.push(load);
    await waitListening(load);

    const ferretPort = /:(\d+)(?:\/|$)/.exec(stack.env.MONGODB_URI ?? '')?.[1];
    const dbPids = ferretPort ? pidsMatching(`--listen-addr=127.0.0.1:${ferretPort}`) : [];
    const allSubgraphPids = Object.values(subgraphPids);
    const sum = (pids: number[]) => pids.reduce((a, p) => a + (cpuSeconds(p) || 0), 0);

    const scenarios = buildScenarios(seeded, shapeCount).filter((s) => !onlyScenarios || onlyScenarios.includes(s.key));
    if (!scenarios.length) throw new Error('BENCH_SCENARIOS selects no scenario');
    const perRun = warmup + seconds + 2;
    console.log(
      `  ${measuredContenders.length} contenders × ${scenarios.length} scenarios × ~${perRun.toFixed(1)} s, ${connections} connections` +
        (cacheAvailable ? '' : ' (router response cache: not available yet, cache-on runs skipped)'),
    );

    const measurements: Measurement[] = [];
    for (const scenario of scenarios) {
      console.log(`\n▶ ${scenario.title}`);
      for (const c of measuredContenders) {
        const subgraph = scenario.subgraph?.name ?? SUBGRAPH_NAMES[0]!;
        if (c.scenarios && !c.scenarios.includes(scenario.key)) {
          measurements.push({ scenario: scenario.key, contender: c.id, na: `tracing's cost is measured on ${TRACED_SCENARIOS.join(', ')}` });
          continue;
        }
        if (scenario.fault && c.id !== 'router') {
          measurements.push({ scenario: scenario.key, contender: c.id, na: 'a fault scenario: measured on the router (cache off) only' });
          continue;
        }
        const variants = c.kind === 'subgraph' && !scenario.subgraph ? null : scenario.variants(c.kind);
        if (!variants) {
          measurements.push({ scenario: scenario.key, contender: c.id, na: 'the scenario spans subgraphs and has no single root fetch' });
          continue;
        }
        const url = c.url(subgraph);
        const pid = c.pid(subgraph);
        const busy = [pid, ...allSubgraphPids, ...dbPids];
        const hung = scenario.fault ? subgraphChildren[scenario.fault.hang]!.process : undefined;
        hung?.kill('SIGSTOP');
        try {
          // One request first: a contender that cannot answer the scenario is reported, not timed.
          const preflight = await check(url, variants[0]!);
          /** Runs `run` while sampling the contender's RSS and the CPU of the contender, the other subgraphs and FerretDB. */
          const measured = async (run: () => Promise<LoadResult>) => {
            let rssPeak = rssMb(pid);
            const timer = setInterval(() => {
              rssPeak = Math.max(rssPeak, rssMb(pid));
            }, 250);
            const others = allSubgraphPids.filter((p) => p !== pid);
            const [cpu0, sub0, db0, t0] = [cpuSeconds(pid), sum(others), sum(dbPids), Date.now()];
            const result = await run();
            const wall = (Date.now() - t0) / 1000;
            clearInterval(timer);
            return {
              result,
              wall,
              rssPeakMb: Math.max(rssPeak, rssMb(pid)),
              cpuPct: ((cpuSeconds(pid) - cpu0) / wall) * 100,
              subgraphsCpuPct: ((sum(others) - sub0) / wall) * 100,
              dbCpuPct: dbPids.length ? ((sum(dbPids) - db0) / wall) * 100 : null,
            };
          };
          // A round first: one request on each of `probeConnections` connections, every answer
          // awaited (nothing is left in flight). When it takes at least half the window, the
          // contender is in the slow regime: a window of `connections` would answer little and leave
          // `connections` expensive requests behind for the next run, so the round is the measurement.
          const probeConnections = Math.min(connections, probeSize);
          const probe = await measured(() =>
            load.request<LoadResult>({ type: 'run', url, connections: probeConnections, amount: probeConnections, seconds, timeoutSeconds, variants }),
          );
          let run = probe;
          let mode = `round c${probeConnections}`;
          let drained: number | null = 0;
          if (probe.wall < seconds / 2) {
            // Warm-up (JIT, plan caches, connections) on the probe's connections; the shapes
            // scenario warms up on other operations, so the measured ones stay cold.
            if (warmup > 0) {
              await load.request({
                type: 'run',
                url,
                connections: probeConnections,
                seconds: warmup,
                timeoutSeconds,
                variants: scenario.warmup?.(c.kind) ?? variants,
              });
              await drain(busy, drainSeconds);
            }
            run = await measured(() => load.request<LoadResult>({ type: 'run', url, connections, seconds, timeoutSeconds, variants }));
            mode = `window c${connections}`;
            // What the window left in flight is still being answered (servers do not cancel): the
            // next run starts once every process of the stack is idle again, or after the bound.
            drained = await drain(busy, drainSeconds);
          }
          const { result, rssPeakMb, cpuPct, subgraphsCpuPct, dbCpuPct } = run;
          const m: Measurement = {
            scenario: scenario.key,
            contender: c.id,
            rootFetchOnly: c.kind === 'subgraph' && scenario.subgraph?.rootFetchOnly ? true : undefined,
            subgraph: c.kind === 'subgraph' ? subgraph : undefined,
            preflight,
            mode,
            result,
            rssPeakMb,
            cpuPct,
            subgraphsCpuPct,
            dbCpuPct,
            drainedSeconds: drained,
          };
          measurements.push(m);
          console.log(
            `  ${c.label.padEnd(24)} ${mode.padEnd(11)} ${String(Math.round(result.rps)).padStart(6)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms` +
              `  non2xx ${result.non2xx}  err ${result.errors}  gql-err ${result.gqlErrors}  unanswered ${result.unanswered}  RSS ${Math.round(m.rssPeakMb ?? NaN)} MB` +
              (drained === null ? `  (still busy ${drainSeconds} s later)` : drained > 2 ? `  (idle ${drained.toFixed(0)} s later)` : '') +
              (preflight === 'ok' ? '' : `  preflight: ${preflight}`) +
              (result.firstErrorBody && preflight === 'ok' ? `  first error: ${result.firstErrorBody.slice(0, 200)}` : ''),
          );
        } finally {
          if (hung) {
            hung.kill('SIGCONT');
            // The next scenario starts once the router answers the page whole again (its breaker closed).
            const end = Date.now() + 30_000;
            while (Date.now() < end && (await check(url, variants[0]!)) !== 'ok') await sleep(500);
          }
        }
      }
    }

    const info = measuredContenders.map(({ id, label }) => ({ id, label }));
    await report({
      startedAt: new Date(started).toISOString(),
      settings: { seconds, warmup, connections, shapes: shapeCount, counts, cpus: (await import('node:os')).cpus().length, node: process.version },
      contenders: info,
      cacheOn: cacheAvailable ? 'measured' : 'not available: the router has no RESPONSE_CACHE yet',
      scenarios: scenarios.map((s) => ({ key: s.key, title: s.title })),
      measurements,
      baselineFile: process.env.BENCH_BASELINE,
      png: process.env.BENCH_PNG !== '0',
    });
    printTracingCost(measurements);
    console.log(`\nHTTP side by side took ${Math.round((Date.now() - started) / 1000)} s`);
    // Targets are reported, not asserted (the machine is noisy): the exit code stays as it is.
    return { failed: false };
  } finally {
    for (const child of children.reverse()) await child.stop();
    for (const cleanup of cleanups) await cleanup();
    rmSync(dir, { recursive: true, force: true });
    await unseed(stack);
  }
}

/** Tracing's cost: the traced routers' req/s and p99 against the untraced router (cache off) of the same run. */
function printTracingCost(measurements: Measurement[]): void {
  const of = (scenario: string, contender: string) => measurements.find((m) => m.scenario === scenario && m.contender === contender && m.result);
  const rows = TRACED_SCENARIOS.flatMap((scenario) => {
    const base = of(scenario, 'router');
    if (!base?.result) return [];
    return ['router+otel10', 'router+otel100'].flatMap((id) => {
      const traced = of(scenario, id);
      if (!traced?.result) return [];
      const ratio = traced.result.rps / base.result!.rps;
      return [
        `  ${scenario.padEnd(8)} ${id.padEnd(15)} ${Math.round(traced.result.rps)} req/s vs ${Math.round(base.result!.rps)} untraced (${ratio.toFixed(2)}×), p99 ${traced.result.p99Ms} vs ${base.result!.p99Ms} ms`,
      ];
    });
  });
  if (rows.length) console.log(`\nThe cost of tracing (router, cache off, OTLP export to a discarding sink):\n${rows.join('\n')}`);
}

/**
 * Waits until every process in `pids` used under 10 % of a core over half a second: seconds
 * waited, or null when they were still busy after `maxSeconds`.
 */
async function drain(pids: number[], maxSeconds: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < maxSeconds * 1000) {
    const before = pids.map(cpuSeconds);
    await sleep(500);
    if (pids.every((pid, i) => !(cpuSeconds(pid) - before[i]! > 0.05))) return (Date.now() - started) / 1000;
  }
  return null;
}

/** One request: `ok`, or what was wrong (status, first error). */
async function check(url: string, variant: Variant): Promise<string> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...variant.headers },
      body: variant.body,
    });
    const text = await res.text();
    let json: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    try {
      json = JSON.parse(text);
    } catch {
      return `${res.status} not JSON: ${text.slice(0, 120)}`;
    }
    if (json.errors?.length) return `${res.status} ${json.errors[0]!.extensions?.code ?? ''} ${json.errors[0]!.message}`.slice(0, 200);
    if (!res.ok || json.data == null) return `${res.status} no data`;
    return 'ok';
  } catch (error) {
    return `request failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}
