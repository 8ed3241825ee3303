import { basename, dirname } from 'node:path';
import { startTelemetry } from './sdk.js';

/**
 * Imported first by every entry point (router, subgraphs, workers): starts tracing before the
 * entry's other imports load graphql, express, mongodb and ioredis (see sdk.ts). The process's
 * name is OTEL_SERVICE_NAME, else read from the entry's path: `router/…`, `workers/…`,
 * `subgraphs/<name>/…`.
 */
export function serviceFromEntry(entry = process.argv[1] ?? ''): string {
  const parts = entry.split(/[\\/]/);
  const subgraph = parts.lastIndexOf('subgraphs');
  if (subgraph >= 0 && parts[subgraph + 1]) return parts[subgraph + 1] as string;
  for (const name of ['router', 'workers']) if (parts.includes(name)) return name;
  return basename(dirname(entry)) || 'stagelives';
}

if (startTelemetry(process.env.OTEL_SERVICE_NAME ?? serviceFromEntry())) {
  // Domain events built in this process carry the trace of the request that caused them. Loaded
  // only now, once the SDK has patched graphql, mongodb and ioredis, which the schema package
  // loads; the entry's other imports wait for this module (top-level await).
  const [{ setEventTraceSource }, { traceCarrier }] = await Promise.all([import('@stagelives/schema'), import('./trace-context.js')]);
  setEventTraceSource(traceCarrier);
}
