import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { type ChildService, ROOT, killOnExit, pipeLines, stopChild, waitUntilListening } from './services.js';

export const JAEGER_BIN = join(ROOT, 'tools/jaeger/bin/jaeger');

/** Jaeger: a trace store taking OTLP/HTTP, with its query API (and UI) on a second port. */
export interface JaegerService extends ChildService {
  /** `http://127.0.0.1:<port>`: what OTEL_EXPORTER_OTLP_ENDPOINT points at (traces go to `/v1/traces`). */
  url: string;
  /** `http://127.0.0.1:<port>`: the query API (`/api/services`, `/api/traces?service=…`, `/api/traces/<id>`) and the UI. */
  queryUrl: string;
}

/** The Jaeger (v2, an OpenTelemetry Collector) configuration: OTLP/HTTP in, memory storage, query on loopback. */
function jaegerConfig({
  otlp,
  query,
  queryGrpc,
  health,
  maxTraces,
}: {
  otlp: number;
  query: number;
  queryGrpc: number;
  health: number;
  maxTraces: number;
}): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: warn
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${health}
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${query}
    grpc:
      endpoint: 127.0.0.1:${queryGrpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: ${maxTraces}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

/**
 * Starts the pinned Jaeger (built by scripts/ensure.mjs from tools/jaeger/go.mod) on free loopback
 * ports, traces kept in memory (at most `maxTraces`, the oldest dropped first).
 */
export async function startJaeger({
  otlpPort,
  queryPort,
  maxTraces = 50_000,
  onOutput,
}: {
  otlpPort?: number;
  queryPort?: number;
  maxTraces?: number;
  onOutput?: (line: string) => void;
} = {}): Promise<JaegerService> {
  const otlp = otlpPort ?? (await freePort());
  const query = queryPort ?? (await freePort());
  const queryGrpc = await freePort();
  const health = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'stagelives-jaeger-'));
  const config = join(dir, 'jaeger.yaml');
  writeFileSync(config, jaegerConfig({ otlp, query, queryGrpc, health, maxTraces }));
  // Jaeger does not trace itself here: without these it dials an OTLP/gRPC collector on :4317.
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _ours, ...inherited } = process.env;
  const env = { ...inherited, OTEL_TRACES_EXPORTER: 'none', OTEL_SDK_DISABLED: 'true' };
  const child = spawn(JAEGER_BIN, [`--config=${config}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  pipeLines(child, onOutput);
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  await waitUntilListening(child, [otlp, query], 'jaeger');
  return { name: 'jaeger', port: otlp, url: `http://127.0.0.1:${otlp}`, queryUrl: `http://127.0.0.1:${query}`, child, stop: () => stopChild(child) };
}
