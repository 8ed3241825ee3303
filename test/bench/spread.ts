/**
 * `npx tsx test/bench/spread.ts [N]`: issue 26's rows over the last N runs of `npm run bench`
 * (default 3) from bench/results/: each run's figure, the median and the range. The HTTP rows
 * come from the runs' `<time>.json`, the fan-out and reminder rows from `<time>.fanout.json` and
 * `<time>.notifications.json` (written since issue 26; a run without them shows –).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '@stagelives/devkit';
import type { Results } from './peers/report.js';

const runs = Number(process.argv[2] ?? 3);
const dir = join(ROOT, 'bench', 'results');
const files = readdirSync(dir).sort();
const stamped = (suffix: string) => files.filter((f) => /^\d{4}-\d\d-\d\dT/.test(f) && f.endsWith(suffix));
/** Whole runs only: a run of some scenarios or contenders (BENCH_SCENARIOS, BENCH_CONTENDERS) is skipped. */
const whole = (r: Results) =>
  ['trivial', 'page', 'article', 'me', 'like'].every((scenario) =>
    ['subgraph', 'apollo', 'router'].every((contender) => r.measurements.some((m) => m.scenario === scenario && m.contender === contender)),
  );
const http = stamped('Z.json')
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Results)
  .filter(whole)
  .slice(-runs);
const parts = (part: string) =>
  stamped(`.${part}.json`)
    .slice(-runs)
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
const fanouts = parts('fanout') as Array<{
  cases: Array<{ server: string; subscribers: number; rate: number; load: { p99Ms: number; received: number }; expected: number; rssPeakMb: number }>;
}>;
const notifications = parts('notifications') as Array<{ result: Record<string, number> }>;

const rps = (r: Results, scenario: string, contender: string) => {
  const m = r.measurements.find((x) => x.scenario === scenario && x.contender === contender);
  return m?.result && m.preflight === 'ok' ? m.result.rps : undefined;
};
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? a / b : undefined);
const held = (f: (typeof fanouts)[number]) => f.cases.find((c) => c.server === 'stagelives' && c.subscribers >= 10_000 && c.rate === 10);

const rows: Array<[string, string, Array<number | undefined>]> = [
  ['article + 20 comments + authors, router, cache off', 'req/s', http.map((r) => rps(r, 'article', 'router'))],
  ['concert page, subgraph direct', 'req/s', http.map((r) => rps(r, 'page', 'subgraph'))],
  ['concert page, router cache off / @apollo/gateway', '×', http.map((r) => ratio(rps(r, 'page', 'router'), rps(r, 'page', 'apollo')))],
  ['concert page, router cache off', 'req/s', http.map((r) => rps(r, 'page', 'router'))],
  ['{ __typename }, router / @apollo/gateway', '×', http.map((r) => ratio(rps(r, 'trivial', 'router'), rps(r, 'trivial', 'apollo')))],
  ['me, router / @apollo/gateway', '×', http.map((r) => ratio(rps(r, 'me', 'router'), rps(r, 'me', 'apollo')))],
  ['likeConcert / unlikeConcert, router', 'req/s', http.map((r) => rps(r, 'like', 'router'))],
  ['fan-out 10,000 at 10 msg/s: p99', 'ms', fanouts.map((f) => held(f)?.load.p99Ms)],
  ['fan-out 10,000 at 10 msg/s: lost', 'deliveries', fanouts.map((f) => (held(f) ? held(f)!.expected - held(f)!.load.received : undefined))],
  ['fan-out 10,000 at 10 msg/s: router RSS peak', 'MB', fanouts.map((f) => held(f)?.rssPeakMb)],
  ['reminders dispatched (2 workers)', 'pushes/s', notifications.map((n) => n.result['pushes/s'])],
  ['reminders lost + duplicated', '', notifications.map((n) => (n.result.lost ?? 0) + (n.result.duplicated ?? 0))],
];

const fmt = (v: number | undefined) => (v === undefined ? '–' : v < 10 ? v.toFixed(2) : String(Math.round(v)));
console.log(`issue 26 rows over ${http.length} HTTP runs (${http.map((r) => r.startedAt).join(', ')})`);
console.log(`and ${fanouts.length} fan-out, ${notifications.length} notifications parts\n`);
console.log('| row | unit | runs | median | range |');
console.log('| --- | --- | --- | ---: | --- |');
for (const [name, unit, values] of rows) {
  const known = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  const median = known.length ? known[Math.floor((known.length - 1) / 2)] : undefined;
  const range = known.length ? `${fmt(known[0])}–${fmt(known.at(-1))}` : '–';
  console.log(`| ${name} | ${unit} | ${values.map(fmt).join(', ')} | ${fmt(median)} | ${range} |`);
}
