/**
 * The side-by-side benchmark's report: a table per scenario with ratios to plain
 * @apollo/gateway and to Hive Gateway, a req/s matrix, the issue's targets with PASS/FAIL
 * (reported, not asserted), the results JSON and the chart (SVG, and a PNG rendered by the
 * system chromium when it is there).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '@stagelives/devkit';
import type { LoadResult } from './load.js';

export interface ContenderInfo {
  id: string;
  label: string;
}

export interface Measurement {
  scenario: string;
  contender: string;
  /** Set when the contender could not be measured on the scenario. */
  na?: string;
  /** The subgraph answered only its own part of the selection (the gateway's first fetch). */
  rootFetchOnly?: boolean;
  subgraph?: string;
  /** `ok`, or what the first request returned instead of data. */
  preflight?: string;
  /** `window c<n>`: BENCH_SECONDS at n connections; `round c<n>`: one request per connection, all awaited (slow regime). */
  mode?: string;
  result?: LoadResult;
  rssPeakMb?: number;
  cpuPct?: number;
  /** CPU of the subgraph processes other than the contender. */
  subgraphsCpuPct?: number;
  dbCpuPct?: number | null;
  /** Seconds until the stack was idle after the run; null: still busy at the bound. */
  drainedSeconds?: number | null;
}

export interface Target {
  target: string;
  measured: string;
  verdict: 'PASS' | 'FAIL' | 'n/a';
}

export interface Results {
  startedAt: string;
  finishedAt?: string;
  settings: Record<string, unknown>;
  contenders: ContenderInfo[];
  cacheOn: string;
  scenarios: Array<{ key: string; title: string }>;
  measurements: Measurement[];
  targets?: Target[];
  baseline?: { source: string; pageRps: number };
}

/** The issue's "today" (2 cores, autocannon -c 50, 60 concerts): the uncached anonymous page. */
export const ISSUE_BASELINE = { pageRps: 100, source: 'issue 12 (≈100 req/s, 60 concerts, before any change)' };

const round = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : Number(n.toFixed(digits)));
const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '–';
const fmt = (n: number | undefined) => (n === undefined ? '–' : String(round(n, n < 10 ? 1 : 0)));
const valid = (m: Measurement | undefined) => !!m?.result && m.preflight === 'ok';

export async function report(input: Omit<Results, 'targets' | 'baseline'> & { baselineFile?: string; png: boolean }): Promise<Results> {
  const { baselineFile, png, ...rest } = input;
  const results: Results = { ...rest, finishedAt: new Date().toISOString() };
  const find = (scenario: string, contender: string) => results.measurements.find((m) => m.scenario === scenario && m.contender === contender);
  const label = (id: string) => results.contenders.find((c) => c.id === id)?.label ?? id;

  for (const s of results.scenarios) {
    const apollo = find(s.key, 'apollo');
    const hive = find(s.key, 'hive');
    console.log(`\n${s.title}`);
    console.table(
      results.contenders.map((c) => {
        const m = find(s.key, c.id);
        if (!m || m.na || !m.result) return { contender: c.label, 'req/s': '–', note: m?.na ?? 'not measured' };
        const r = m.result;
        const notes = [
          m.rootFetchOnly ? `root fetch only (${m.subgraph})` : m.subgraph ? m.subgraph : '',
          m.drainedSeconds === null ? 'stack still busy after the run' : '',
          r.requests < r.unanswered ? 'fewer answers than requests left in flight: latencies cover only what finished' : '',
          m.preflight === 'ok' ? '' : `preflight: ${m.preflight}`,
        ]
          .filter(Boolean)
          .join('; ');
        return {
          contender: c.label,
          mode: m.mode ?? '',
          'req/s': round(r.rps, r.rps < 10 ? 1 : 0),
          'p50 ms': r.p50Ms,
          'p99 ms': r.p99Ms,
          non2xx: r.non2xx,
          errors: r.errors,
          'gql err': r.gqlErrors,
          unanswered: r.unanswered,
          'RSS MB': round(m.rssPeakMb),
          'cpu %': round(m.cpuPct),
          'subgraphs cpu %': round(m.subgraphsCpuPct),
          'db cpu %': round(m.dbCpuPct),
          '× apollo': valid(apollo) ? ratio(r.rps, apollo!.result!.rps) : '–',
          '× hive': valid(hive) ? ratio(r.rps, hive!.result!.rps) : '–',
          note: notes,
        };
      }),
    );
  }

  console.log('\nreq/s (p99 ms) per scenario and contender; r: slow regime, one round on the probe connections; root: root fetch only; !: preflight failed');
  console.table(
    results.scenarios.map((s) => {
      const row: Record<string, string | number> = { scenario: s.key };
      for (const c of results.contenders) {
        const m = find(s.key, c.id);
        row[c.label] = m?.result
          ? `${round(m.result.rps, m.result.rps < 10 ? 1 : 0)} (${m.result.p99Ms})${m.mode?.startsWith('round') ? ' r' : ''}${m.preflight === 'ok' ? '' : ' !'}${m.rootFetchOnly ? ' root' : ''}`
          : 'n/a';
      }
      return row;
    }),
  );

  // --- Targets. ---
  let baseline = { ...ISSUE_BASELINE };
  if (baselineFile) {
    try {
      const earlier = JSON.parse(readFileSync(baselineFile, 'utf8')) as Results;
      const m = earlier.measurements.find((x) => x.scenario === 'page' && x.contender === 'router');
      if (m?.result) baseline = { pageRps: m.result.rps, source: `${baselineFile} (router, page, ${earlier.startedAt})` };
    } catch (error) {
      console.log(`(BENCH_BASELINE ${baselineFile} unreadable: ${error instanceof Error ? error.message : String(error)}; using the issue's figure)`);
    }
  }
  results.baseline = baseline;
  const targets: Target[] = [];
  const rps = (scenario: string, contender: string) => {
    const m = find(scenario, contender);
    return valid(m) ? m!.result!.rps : undefined;
  };
  /** A reference that answered nothing in its run gives no ratio (n/a), however fast the other side was. */
  const usable = (v: number | undefined) => v !== undefined && v > 0;
  /** A target "`mine` ≥ `factor` × `peer`" (req/s of one run); `missing` is what to show when `mine` was not measured. */
  const atLeast = (target: string, mine: number | undefined, peer: number | undefined, factor: number, missing = 'not measured'): Target => ({
    target,
    measured: mine === undefined ? missing : `${fmt(mine)} vs ${fmt(peer)} req/s = ${ratio(mine, peer)}`,
    verdict: mine === undefined || !usable(peer) ? 'n/a' : mine >= factor * peer! ? 'PASS' : 'FAIL',
  });
  const cached = find('page', 'router+cache');
  if (valid(cached)) {
    const r = cached!.result!;
    targets.push({
      target: `anonymous page, cache on: ≥ 10× today's uncached req/s (${round(baseline.pageRps)}), p99 < 50 ms`,
      measured: `${round(r.rps)} req/s = ${ratio(r.rps, baseline.pageRps)}, p99 ${r.p99Ms} ms`,
      verdict: r.rps >= 10 * baseline.pageRps && r.p99Ms < 50 ? 'PASS' : 'FAIL',
    });
  } else {
    targets.push({ target: "anonymous page, cache on: ≥ 10× today's uncached req/s, p99 < 50 ms", measured: results.cacheOn, verdict: 'n/a' });
  }
  const page = rps('page', 'router');
  const pageApollo = rps('page', 'apollo');
  targets.push({
    target: `uncached page: ≥ 2× today's (${round(baseline.pageRps)} req/s) and ≥ 1.0× @apollo/gateway`,
    measured:
      page === undefined
        ? 'not measured'
        : `${fmt(page)} req/s = ${ratio(page, baseline.pageRps)} today, ${ratio(page, pageApollo)} apollo (${fmt(pageApollo)} req/s)`,
    verdict: page === undefined || !usable(pageApollo) ? 'n/a' : page >= 2 * baseline.pageRps && page >= pageApollo! ? 'PASS' : 'FAIL',
  });
  for (const id of ['router', 'router+cache']) {
    const four = rps('page4', id);
    const fourApollo = rps('page4', 'apollo');
    if (id === 'router+cache' && four === undefined) continue;
    targets.push(atLeast(`four-subgraph page (${label(id)}): ≥ 1.5× @apollo/gateway`, four, fourApollo, 1.5));
  }
  targets.push(
    atLeast('router overhead, trivial query ({ __typename }): ≥ 0.8× the subgraph called directly', rps('trivial', 'router'), rps('trivial', 'subgraph'), 0.8),
  );
  targets.push(
    atLeast('router overhead, cached page: ≥ 0.8× the subgraph called directly', rps('page', 'router+cache'), rps('page', 'subgraph'), 0.8, results.cacheOn),
  );
  const routerRss = results.measurements.filter((m) => m.contender.startsWith('router') && m.rssPeakMb !== undefined);
  const maxRss = Math.max(...routerRss.map((m) => m.rssPeakMb!));
  targets.push({
    target: 'router RSS ≤ 250 MB under load (peak over every scenario)',
    measured: routerRss.length ? `${round(maxRss)} MB` : 'not measured',
    verdict: routerRss.length ? (maxRss <= 250 ? 'PASS' : 'FAIL') : 'n/a',
  });
  results.targets = targets;
  console.log(`\nIssue 12 targets (ratios in this run; reported, not asserted; "today" = ${baseline.source})`);
  console.table(targets);

  // Issue 26's HTTP rows (the fan-out and reminder rows are printed by their own parts).
  const rate = (target: string, mine: number | undefined, floor: number): Target => ({
    target,
    measured: mine === undefined ? 'not measured' : `${fmt(mine)} req/s`,
    verdict: mine === undefined ? 'n/a' : mine >= floor ? 'PASS' : 'FAIL',
  });
  const routerPage = find('page', 'router');
  const pageBound = valid(routerPage)
    ? `; in that window the database used ${round(routerPage!.dbCpuPct)} % CPU, the subgraphs ${round(routerPage!.subgraphsCpuPct)} %, the router ${round(routerPage!.cpuPct)} %`
    : '';
  const pageVsApollo = atLeast('concert page through the router, cache off: ≥ 1.2× @apollo/gateway, the database not the bound', page, pageApollo, 1.2);
  const issue26: Target[] = [
    rate('article + 20 comments + authors through the router, cache off: ≥ 100 req/s', rps('article', 'router'), 100),
    rate('concert page, subgraph called directly: ≥ 300 req/s', rps('page', 'subgraph'), 300),
    {
      ...pageVsApollo,
      measured: `${pageVsApollo.measured}${pageBound}`,
      // The database is the bound when it uses a whole core of the two while the router waits on it.
      verdict: pageVsApollo.verdict === 'PASS' && (routerPage?.dbCpuPct ?? 0) >= 100 ? 'FAIL' : pageVsApollo.verdict,
    },
    atLeast('{ __typename } through the router: ≥ 0.8× @apollo/gateway', rps('trivial', 'router'), rps('trivial', 'apollo'), 0.8),
    atLeast('me through the router: ≥ 1.0× @apollo/gateway', rps('me', 'router'), rps('me', 'apollo'), 1.0),
    rate('likeConcert / unlikeConcert through the router: ≥ 500 req/s', rps('like', 'router'), 500),
  ];
  results.targets.push(...issue26.map((t) => ({ ...t, target: `issue 26: ${t.target}` })));
  console.log('\nIssue 26 targets, HTTP (this run; reported, not asserted)');
  console.table(issue26);

  // --- Files. ---
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(join(dir, `${stamp}.json`), json);
  writeFileSync(join(dir, 'latest.json'), json);
  const svg = chart(results);
  writeFileSync(join(dir, 'latest.svg'), svg);
  console.log(`\nwrote bench/results/${stamp}.json, latest.json, latest.svg`);
  if (png) {
    try {
      if (await renderPng()) console.log('wrote bench/results/latest.png');
    } catch (error) {
      console.log(`latest.png not rendered: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return results;
}

/**
 * Writes one part's results (the fan-out, the notifications) beside the HTTP part's:
 * `bench/results/<time>.<part>.json` and `latest.<part>.json`.
 */
export function saveResults(part: string, data: Record<string, unknown>): void {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const finishedAt = new Date().toISOString();
  const json = `${JSON.stringify({ part, finishedAt, ...data }, null, 2)}\n`;
  writeFileSync(join(dir, `${finishedAt.replace(/[:.]/g, '-')}.${part}.json`), json);
  writeFileSync(join(dir, `latest.${part}.json`), json);
  console.log(`wrote bench/results/latest.${part}.json`);
}

/** Renders latest.svg to latest.png with the system chromium (playwright-core); false when it cannot. */
export async function renderPng(): Promise<boolean> {
  const chromium = '/usr/bin/chromium';
  if (!existsSync(chromium)) return false;
  const dir = join(ROOT, 'bench', 'results');
  const svg = readFileSync(join(dir, 'latest.svg'), 'utf8');
  const size = /width="(\d+)" height="(\d+)"/.exec(svg);
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({
    executablePath: chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: Number(size?.[1] ?? 1200), height: Number(size?.[2] ?? 600) } });
    await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
    await page.screenshot({ path: join(dir, 'latest.png') });
    return true;
  } finally {
    await browser.close();
  }
}

const COLORS: Record<string, string> = {
  subgraph: '#9e9e9e',
  apollo: '#5c6bc0',
  hive: '#f2a900',
  router: '#2e7d32',
  'router+cache': '#66bb6a',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A grouped bar chart of req/s (log scale): one group per scenario, one bar per contender. */
export function chart(results: Results): string {
  const scenarios = results.scenarios;
  const contenders = results.contenders;
  const bar = 22;
  const gap = 26;
  const groupWidth = contenders.length * bar + gap;
  const left = 70;
  const top = 70;
  const plotHeight = 360;
  const width = Math.max(760, left + scenarios.length * groupWidth + 30);
  const height = top + plotHeight + 110;
  const values = results.measurements.filter((m) => m.result).map((m) => m.result!.rps);
  const maxV = Math.max(10, ...values);
  const maxExp = Math.ceil(Math.log10(maxV));
  const minExp = -1;
  const y = (v: number) => top + plotHeight - ((Math.log10(Math.max(10 ** minExp, v)) - minExp) / (maxExp - minExp)) * plotHeight;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  const s = results.settings as { seconds?: number; connections?: number; cpus?: number };
  parts.push(`<text x="${left}" y="26" font-size="17" font-weight="bold">stagelives router vs peers: requests per second (log scale, higher is better)</text>`);
  parts.push(
    `<text x="${left}" y="46" font-size="12" fill="#555">${esc(`${results.startedAt} · ${s.connections} connections · ${s.seconds} s per bar · ${s.cpus} CPUs shared by every process and FerretDB · cache on: ${results.cacheOn}`)}</text>`,
  );
  for (let e = minExp; e <= maxExp; e += 1) {
    const v = 10 ** e;
    parts.push(`<line x1="${left}" x2="${width - 20}" y1="${y(v)}" y2="${y(v)}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${left - 8}" y="${y(v) + 4}" font-size="11" text-anchor="end" fill="#555">${v.toLocaleString('en')}</text>`);
  }
  scenarios.forEach((sc, i) => {
    const x0 = left + gap / 2 + i * groupWidth;
    contenders.forEach((c, j) => {
      const m = results.measurements.find((x) => x.scenario === sc.key && x.contender === c.id);
      const x = x0 + j * bar;
      if (!m?.result) {
        parts.push(`<text x="${x + bar / 2}" y="${top + plotHeight - 4}" font-size="9" text-anchor="middle" fill="#999">n/a</text>`);
        return;
      }
      const v = m.result.rps;
      const broken = m.preflight !== 'ok';
      parts.push(
        `<rect x="${x + 1}" y="${y(v)}" width="${bar - 2}" height="${top + plotHeight - y(v)}" fill="${COLORS[c.id] ?? '#888'}"${broken ? ' fill-opacity="0.35" stroke="#c62828" stroke-dasharray="3 2"' : ''}${m.rootFetchOnly ? ' stroke="#444" stroke-dasharray="2 2"' : ''}><title>${esc(`${c.label} · ${sc.key}: ${Math.round(v)} req/s, p99 ${m.result.p99Ms} ms`)}</title></rect>`,
      );
      const slow = m.mode?.startsWith('round');
      parts.push(
        `<text x="${x + bar / 2}" y="${y(v) - 4}" font-size="9" text-anchor="middle" transform="rotate(-60 ${x + bar / 2} ${y(v) - 4})" fill="#222"${slow ? ' font-style="italic"' : ''}>${v < 10 ? v.toFixed(1) : Math.round(v)}${slow ? ' r' : ''}</text>`,
      );
    });
    parts.push(
      `<text x="${x0 + (contenders.length * bar) / 2}" y="${top + plotHeight + 18}" font-size="12" text-anchor="middle" font-weight="bold">${esc(sc.key)}</text>`,
    );
  });
  parts.push(`<line x1="${left}" x2="${width - 20}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#333"/>`);
  contenders.forEach((c, j) => {
    const x = left + (j % 5) * 170;
    const yy = top + plotHeight + 46 + Math.floor(j / 5) * 20;
    parts.push(`<rect x="${x}" y="${yy - 11}" width="14" height="14" fill="${COLORS[c.id] ?? '#888'}"/>`);
    parts.push(`<text x="${x + 20}" y="${yy}" font-size="12">${esc(c.label)}</text>`);
  });
  parts.push(
    `<text x="${left}" y="${height - 14}" font-size="11" fill="#555">${esc('r: slow regime, one round of 10 requests (latency > half the window). Dashed: subgraph answered only its root fetch; faded red: preflight failed. See test/bench/peers/.')}</text>`,
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
