import { pino, type Logger } from 'pino';
import { activeTraceIds } from './telemetry/trace-context.js';

export type { Logger };

/**
 * One JSON logger per process; `service` names the process in every line, and a line written
 * inside a traced span carries its `trace_id` and `span_id` (tracing on).
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => activeTraceIds() ?? {},
    redact: {
      paths: [
        'password',
        '*.password',
        'req.headers.cookie',
        'req.headers.authorization',
        'headers.cookie',
        'headers.authorization',
        'sessionToken',
        '*.sessionToken',
      ],
      censor: '[redacted]',
    },
  });
}
