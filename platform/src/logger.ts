import { pino, type Logger } from 'pino';

export type { Logger };

/** One JSON logger per process; `service` names the process in every line. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
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
