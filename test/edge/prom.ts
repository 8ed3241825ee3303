/** One sample of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples, and the names of every series declared (`# TYPE`), sampled yet or not. */
export type Samples = Sample[] & { declared: Set<string> };

/** Parses the Prometheus text exposition format (what prom-client writes). */
function parseMetrics(text: string): Samples {
  const samples = Object.assign([] as Sample[], { declared: new Set<string>() });
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type) samples.declared.add(type[1]!);
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const m of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `labels` (0 when none). */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

/** Whether a series of that name is declared (a labelled counter has no sample before its first increment). */
export const hasSeries = (samples: Samples, name: string) => samples.declared.has(name) || samples.some((s) => s.name === name);

/** Fetches and parses a `/metrics` endpoint (fails on a non-200). */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Samples> {
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  if (!res.headers.get('content-type')?.startsWith('text/plain')) throw new Error(`GET ${url}: content-type ${res.headers.get('content-type')}`);
  return parseMetrics(await res.text());
}
