import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  createAlwaysRecordSampler,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { KeepErrorsProcessor, samplingRatio, startTelemetry } from '../src/telemetry/sdk.js';

/** The sampler and processor startTelemetry builds, at `ratio`, exporting into memory. */
function tracing(ratio: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: createAlwaysRecordSampler(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) })),
    spanProcessors: [new KeepErrorsProcessor(new SimpleSpanProcessor({ exporter }))],
  });
  const tracer = provider.getTracer('test');
  /** A local root with one child; the child fails when `fail`. */
  const request = (fail: boolean) => {
    const root = tracer.startSpan('request');
    const child = tracer.startSpan('fetch', {}, trace.setSpan(context.active(), root));
    if (fail) child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    child.end();
    root.end();
    return root.spanContext().traceId;
  };
  return { exporter, request };
}

describe('sampling', () => {
  it('drops an unsampled trace that went well, and keeps the whole of one in which a span failed', () => {
    const { exporter, request } = tracing(0);
    request(false);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    const failed = request(true);
    const kept = exporter.getFinishedSpans();
    expect(kept.map((s) => s.name).sort()).toEqual(['fetch', 'request']);
    expect(kept.every((s) => s.spanContext().traceId === failed && s.spanContext().traceFlags === 1)).toBe(true);
  });

  it('exports every trace at ratio 1', () => {
    const { exporter, request } = tracing(1);
    request(false);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });

  it('reads the ratio from OTEL_TRACES_SAMPLER_ARG (default 1) and refuses a bad one', () => {
    expect(samplingRatio(undefined)).toBe(1);
    expect(samplingRatio('0.1')).toBe(0.1);
    expect(() => samplingRatio('10%')).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });

  it('starts nothing without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(startTelemetry('test', {})).toBe(false);
    expect(trace.getTracerProvider().getTracer('x').startSpan('y').isRecording()).toBe(false);
  });
});
