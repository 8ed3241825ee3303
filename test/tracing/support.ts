/**
 * The tracing tests' stack: the real processes (every subgraph, the router, optionally the
 * workers) forked from their entry points as `npm run dev` does, exporting to a Jaeger of their
 * own; spans are read back through Jaeger's query API.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { inject } from 'vitest';
import { ROOT, announcedPort, forkNode, type JaegerService, startJaeger, stopChild } from '@stagelives/devkit';
import { SUBGRAPH_START_WAVES } from '@stagelives/schema';
import { ADMIN_EMAIL } from '../support/harness.js';

export const CREATE_CONCERT = 'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }';

export interface TracedStack {
  url: string;
  jaeger: JaegerService;
  env: Record<string, string>;
  /** The JSON log lines each process wrote so far (with `logs: true`). */
  logs(process: string): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** One span as Jaeger's query API returns it, with its process's service name resolved. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  tags: Array<{ key: string; value: unknown }>;
  service: string;
}

export async function startTracedStack({
  workers = false,
  logs = false,
  env: extra = {},
}: {
  workers?: boolean;
  /** Keep every process's log lines, at debug level, for `logs()`. */
  logs?: boolean;
  env?: Record<string, string>;
} = {}): Promise<TracedStack> {
  const jaeger = await startJaeger();
  const prefix = `t${randomBytes(4).toString('hex')}_`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: logs ? 'debug' : (process.env.TEST_LOG_LEVEL ?? 'silent'),
    MONGODB_URI: inject('mongoUri'),
    REDIS_URL: inject('redisUrl'),
    SMTP_URL: inject('smtpUrl'),
    MAIL_FROM: 'stagelives <no-reply@stagelives.test>',
    PUBLIC_URL: 'https://app.stagelives.test',
    MONGODB_DB_PREFIX: prefix,
    REDIS_PREFIX: `${prefix}:`,
    IDENTITY_SECRET: randomBytes(32).toString('hex'),
    ADMIN_EMAILS: ADMIN_EMAIL,
    RATE_LIMIT_AUTH: '100000',
    RATE_LIMIT_DEFAULT: '100000',
    RATE_LIMIT_PUBLIC_READ: '100000',
    SHUTDOWN_DELAY_MS: '0',
    // The gateway's own usage reporting to Apollo (and its cloud metadata probes) stays off.
    APOLLO_TELEMETRY_DISABLED: 'true',
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.url,
    // Spans reach Jaeger within a fraction of a second.
    OTEL_BSP_SCHEDULE_DELAY: '100',
    ...(process.env.OTEL_LOG_LEVEL ? { OTEL_LOG_LEVEL: process.env.OTEL_LOG_LEVEL } : {}),
    ...extra,
  };
  const children: ChildProcess[] = [];
  const lines = new Map<string, Array<Record<string, unknown>>>();
  const keep = (name: string, line: string) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.set(name, [...(lines.get(name) ?? []), entry]);
    } catch {
      // Not a JSON log line (a warning printed by a library): not ours to read.
    }
  };
  const start = async (name: string, entry: string, own: Record<string, string>) => {
    const child = forkNode(entry, {
      env: { ...env, ...own },
      onLine:
        logs || process.env.TEST_LOG_LEVEL
          ? (line) => {
              if (logs) keep(name, line);
              if (process.env.TEST_LOG_LEVEL) process.stderr.write(`[${name}] ${line}\n`);
            }
          : undefined,
    });
    children.push(child);
    // Seven processes compiling their sources at once: generous on a busy machine.
    return announcedPort(child, name, { timeoutMs: 180_000 });
  };
  const close = async () => {
    await Promise.all(children.reverse().map((child) => stopChild(child, 5_000)));
    await jaeger.stop();
  };
  try {
    const urls: string[] = [];
    for (const wave of SUBGRAPH_START_WAVES) {
      const known = urls.join(',');
      const started = await Promise.all(
        wave.map(
          async (name) =>
            `${name}=http://127.0.0.1:${await start(name, `subgraphs/${name}/src/index.ts`, { SUBGRAPH_PORT: '0', SUBGRAPH_URLS: known })}/graphql`,
        ),
      );
      urls.push(...started);
    }
    const port = await start('router', 'router/src/index.ts', { PORT: '0', SUBGRAPH_URLS: urls.join(',') });
    if (workers) await start('workers', 'workers/src/index.ts', { WORKERS_PORT: '0' });
    return { url: `http://127.0.0.1:${port}/graphql`, jaeger, env, logs: (name) => lines.get(name) ?? [], close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The text of a contract operation, verbatim from contract/<file>.graphql. */
export function contractOperation(file: string, name: string): string {
  const source = readFileSync(join(ROOT, 'contract', file), 'utf8');
  const definition = parse(source).definitions.find((d) => d.kind === 'OperationDefinition' && d.name?.value === name);
  if (!definition?.loc) throw new Error(`no operation ${name} in contract/${file}`);
  return source.slice(definition.loc.start, definition.loc.end);
}

type JaegerTraces = {
  data?: Array<{ spans: Omit<JaegerSpan, 'service'>[]; processes: Record<string, { serviceName: string }> } & Record<string, unknown>>;
};

/** The spans of each trace of a Jaeger answer, with their process's service name resolved. */
const spansOf = (body: JaegerTraces): JaegerSpan[][] =>
  (body.data ?? []).map((trace) =>
    trace.spans.map((span) => ({ ...span, service: trace.processes[(span as unknown as { processID: string }).processID]?.serviceName ?? '?' })),
  );

/** Every span of a trace, as Jaeger has it now (none when it does not know the trace yet). */
export async function traceSpans(jaeger: JaegerService, traceId: string): Promise<JaegerSpan[]> {
  const res = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`);
  if (res.status === 404) return [];
  return spansOf((await res.json()) as JaegerTraces)[0] ?? [];
}

/** The traces of the last hour with a span of `service` named `operation` carrying `tags`, as Jaeger's search finds them. */
export async function findTraces(
  jaeger: JaegerService,
  { service, operation, tags }: { service: string; operation: string; tags: Record<string, string> },
): Promise<JaegerSpan[][]> {
  const query = new URLSearchParams({ service, operation, tags: JSON.stringify(tags), lookback: '1h', limit: '20' });
  const res = await fetch(`${jaeger.queryUrl}/api/traces?${query}`);
  if (!res.ok) return [];
  return spansOf((await res.json()) as JaegerTraces);
}

export const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;

/** A W3C traceparent of a fresh sampled trace, as a client that traces would send. */
export function clientTraceparent(): { traceId: string; spanId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}
