import { type Attributes, type Context, type Span, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
// Type only: this module loads before the SDK patches graphql, mongodb and ioredis, which the
// schema package's code would load first.
import type { TraceCarrier } from '@stagelives/schema';

/**
 * Our own spans and the W3C trace context we carry across hops that no instrumentation sees
 * (domain events, BullMQ job data). Only `@opentelemetry/api` here: without a started SDK
 * (OTEL_EXPORTER_OTLP_ENDPOINT unset) every function is a flag check and a direct call.
 */

export type { TraceCarrier };

let enabled = false;

/** Called by `startTelemetry` once the SDK runs: from then on our spans are created. */
export function markTracingEnabled(): void {
  enabled = true;
}

/** Whether this process exports traces (OTEL_EXPORTER_OTLP_ENDPOINT was set at start). */
export function tracingEnabled(): boolean {
  return enabled;
}

const tracer = () => trace.getTracer('stagelives');

export interface SpanOptions {
  attributes?: Attributes;
  kind?: SpanKind;
  /** Start the span under this context instead of the active one (a carried trace context). */
  parent?: Context;
  /** Spans this one is caused by, in another trace (a push started by a like's reminder). */
  links?: TraceCarrier[];
}

/**
 * Runs `fn` inside a new active span `name`; the span ends when `fn` settles, with an error
 * status (and the exception recorded) when it throws. Tracing off: `fn` runs with no span.
 */
export async function withSpan<T>(name: string, options: SpanOptions, fn: (span: Span | undefined) => Promise<T> | T): Promise<T> {
  if (!enabled) return fn(undefined);
  const links = (options.links ?? [])
    .map((carrier) => trace.getSpanContext(propagation.extract(context.active(), carrier)))
    .filter((spanContext) => spanContext !== undefined)
    .map((spanContext) => ({ context: spanContext }));
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(name, { attributes: options.attributes, kind: options.kind ?? SpanKind.INTERNAL, links }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed (error status, exception event): such traces are always kept. */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** Adds an event to the active span (no-op when tracing is off or no span is active). */
export function spanEvent(name: string, attributes?: Attributes): void {
  if (!enabled) return;
  trace.getActiveSpan()?.addEvent(name, attributes);
}

/** The active trace context as a carrier to put in an event or a job; undefined when there is none to carry. */
export function traceCarrier(): TraceCarrier | undefined {
  if (!enabled) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** Writes the active trace context into outgoing request headers (`traceparent`, `tracestate`). */
export function injectTraceHeaders(headers: { set(name: string, value: string): void }): void {
  if (!enabled) return;
  propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
}

/**
 * Runs `fn` as the consumer of a carried event or job: a CONSUMER span `name` that continues the
 * producer's trace (or links to it, `link: true`, for work that happens long after, in a trace of
 * its own). Tracing off: `fn` runs with no span.
 */
export function consumeTraced<T>(
  name: string,
  carrier: TraceCarrier | undefined,
  attributes: Attributes,
  fn: (span: Span | undefined) => Promise<T> | T,
  { link = false }: { link?: boolean } = {},
): Promise<T> {
  if (!enabled) return Promise.resolve().then(() => fn(undefined));
  return link
    ? withSpan(name, { kind: SpanKind.CONSUMER, attributes, links: carrier ? [carrier] : [] }, fn)
    : withSpan(name, { kind: SpanKind.CONSUMER, attributes, parent: contextFrom(carrier) }, fn);
}

/** The context a carried trace continues from (the active one when there is none). */
export function contextFrom(carrier: TraceCarrier | undefined): Context {
  return carrier?.traceparent ? propagation.extract(context.active(), carrier) : context.active();
}

/** The ids of the active span, for log lines; undefined when tracing is off or none is active. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  if (!enabled) return undefined;
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

export { SpanKind, type Span };
