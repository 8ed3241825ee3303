// Tracing: our spans and the trace context carried across hops (always light), and the SDK's
// start (loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set). Entry points import `./register.js`.
export {
  type Span,
  type SpanOptions,
  type TraceCarrier,
  SpanKind,
  activeTraceIds,
  consumeTraced,
  contextFrom,
  failSpan,
  injectTraceHeaders,
  spanEvent,
  traceCarrier,
  tracingEnabled,
  withSpan,
} from './trace-context.js';
export { stopTelemetry } from './sdk.js';
