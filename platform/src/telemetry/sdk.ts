import { createRequire } from 'node:module';
import { type Context, TraceFlags, SpanStatusCode, diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type * as SdkTrace from '@opentelemetry/sdk-trace';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as HttpInstrumentation from '@opentelemetry/instrumentation-http';
import type * as ExpressInstrumentation from '@opentelemetry/instrumentation-express';
import type * as GraphQLInstrumentation from '@opentelemetry/instrumentation-graphql';
import type * as IORedisInstrumentation from '@opentelemetry/instrumentation-ioredis';
import type * as MongoDBInstrumentation from '@opentelemetry/instrumentation-mongodb';
import { markTracingEnabled } from './trace-context.js';

/**
 * The one tracing setup every process runs first (`register.ts`). Off — nothing loaded, nothing
 * patched — unless OTEL_EXPORTER_OTLP_ENDPOINT is set. On: the OpenTelemetry Node SDK exports
 * over OTLP/HTTP (`<endpoint>/v1/traces`), samples parent-based by trace-id ratio
 * (OTEL_TRACES_SAMPLER_ARG, default 1) and still keeps every trace in which a span failed, and
 * instruments HTTP, Express, GraphQL, MongoDB and ioredis.
 *
 * Loaded with `require`, synchronously: the instrumentations hook module loading, so they must be
 * in place before the entry point's other imports (graphql, express, mongodb, ioredis) run; an
 * `await import()` here would let those run first.
 */

/** Spans of one unsampled trace kept in memory until its local root ends, at most. */
const MAX_SPANS_PER_TRACE = 512;
/** Unsampled traces buffered at once, at most (the oldest is dropped past it). */
const MAX_BUFFERED_TRACES = 2_048;

/** The sampling ratio from OTEL_TRACES_SAMPLER_ARG (0..1; default 1: every trace). */
export function samplingRatio(raw = process.env.OTEL_TRACES_SAMPLER_ARG): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const ratio = Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, not ${JSON.stringify(raw)}`);
  return ratio;
}

/** A span exported as sampled (its trace was kept because a span in it failed). */
function asSampled(span: ReadableSpan): ReadableSpan {
  const spanContext = { ...span.spanContext(), traceFlags: span.spanContext().traceFlags | TraceFlags.SAMPLED };
  return new Proxy(span, { get: (target, key) => (key === 'spanContext' ? () => spanContext : Reflect.get(target, key)) });
}

/**
 * Forwards sampled spans to `next`; spans of unsampled traces (recorded, since the sampler records
 * every trace) wait per trace until the trace's local root ends, and go to `next` only when one of
 * them failed: errors are always kept, whatever the ratio, in each process that saw them.
 */
export class KeepErrorsProcessor implements SpanProcessor {
  private readonly pending = new Map<string, { spans: ReadableSpan[]; failed: boolean }>();
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const { traceId, traceFlags } = span.spanContext();
    if (traceFlags & TraceFlags.SAMPLED) {
      this.next.onEnd(span);
      return;
    }
    let trace = this.pending.get(traceId);
    if (!trace) {
      if (this.pending.size >= MAX_BUFFERED_TRACES) this.pending.delete(this.pending.keys().next().value as string);
      trace = { spans: [], failed: false };
      this.pending.set(traceId, trace);
    }
    if (trace.spans.length < MAX_SPANS_PER_TRACE) trace.spans.push(span);
    if (span.status.code === SpanStatusCode.ERROR) trace.failed = true;
    const localRoot = !span.parentSpanContext || span.parentSpanContext.isRemote;
    if (!localRoot) return;
    this.pending.delete(traceId);
    if (trace.failed) for (const kept of trace.spans) this.next.onEnd(asSampled(kept));
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    this.pending.clear();
    return this.next.shutdown();
  }
}

/** The CommonJS packages the instrumentations patch, loaded right after the SDK starts. */
const PATCHED_PACKAGES = ['express', 'graphql', 'ioredis', 'mongodb'];

let sdk: SdkNode.NodeSDK | undefined;

/**
 * Starts tracing for the process named `service` when OTEL_EXPORTER_OTLP_ENDPOINT is set; returns
 * whether it did. Stops (flushing what is buffered) on SIGTERM/SIGINT's `beforeExit`.
 */
export function startTelemetry(service: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint || sdk) return Boolean(sdk);
  const require = createRequire(import.meta.url);
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  const { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, createAlwaysRecordSampler } =
    require('@opentelemetry/sdk-trace') as typeof SdkTrace;
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
  const { HttpInstrumentation: Http } = require('@opentelemetry/instrumentation-http') as typeof HttpInstrumentation;
  const { ExpressInstrumentation: Express, ExpressLayerType } = require('@opentelemetry/instrumentation-express') as typeof ExpressInstrumentation;
  const { GraphQLInstrumentation: GraphQL } = require('@opentelemetry/instrumentation-graphql') as typeof GraphQLInstrumentation;
  const { IORedisInstrumentation: IORedis } = require('@opentelemetry/instrumentation-ioredis') as typeof IORedisInstrumentation;
  const { MongoDBInstrumentation: MongoDB } = require('@opentelemetry/instrumentation-mongodb') as typeof MongoDBInstrumentation;
  if (env.OTEL_LOG_LEVEL === 'debug') diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.DEBUG);

  // Traces only: metrics stay with Prometheus (/metrics), logs with stdout.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const ratio = samplingRatio(env.OTEL_TRACES_SAMPLER_ARG);
  // Every trace is recorded (unsampled ones only until their root ends) so a failed one is kept.
  const sampler = createAlwaysRecordSampler(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }));
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? service,
    sampler,
    spanProcessors: [new KeepErrorsProcessor(new BatchSpanProcessor({ exporter, scheduledDelayMillis: Number(env.OTEL_BSP_SCHEDULE_DELAY ?? 1000) }))],
    // Only the instrumentations we chose: none of the auto-instrumentations' fs/dns/net noise.
    instrumentations: [
      // Health probes and scrapes would bury the requests that matter.
      new Http({ ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? '') }),
      // Route and handler spans only: a span per middleware (helmet, cors, body parsing, …) would
      // cost more than it tells, on every request.
      new Express({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      // Resolver spans for every field would dwarf the rest; parse/validate/execute are kept.
      new GraphQL({ ignoreTrivialResolveSpans: true, depth: 2, allowValues: false }),
      new IORedis(),
      // Never the values of a query: its shape only.
      new MongoDB({ enhancedDatabaseReporting: false }),
    ],
    resourceDetectors: [],
  });
  sdk.start();
  // The instrumentations patch a package when it is `require`d; an ESM `import` of a CommonJS
  // package bypasses that hook. Requiring them here, first, patches the one cached copy our
  // imports then get (prototypes and exports alike).
  for (const name of PATCHED_PACKAGES) {
    try {
      require(name);
    } catch {
      // Not installed where this process runs: nothing to patch.
    }
  }
  markTracingEnabled();
  const stop = () => void sdk?.shutdown().catch(() => undefined);
  process.once('beforeExit', stop);
  return true;
}

/** Flushes and stops the SDK (platform's gracefulShutdown calls it last); nothing when tracing is off. */
export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
