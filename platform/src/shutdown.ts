import type { Logger } from './logger.js';
import { stopTelemetry } from './telemetry/sdk.js';

type Closer = () => Promise<unknown> | unknown;

/**
 * Registers closers and runs them, last registered first, once, on SIGINT/SIGTERM, then flushes
 * the spans not yet exported; `draining` turns true first (readiness answers 503 from then on).
 * Past `timeoutMs` the process exits with 1.
 */
export function gracefulShutdown(logger: Logger, { timeoutMs = 10_000 } = {}) {
  const closers: Array<{ name: string; close: Closer }> = [];
  let closing: Promise<void> | undefined;
  let draining = false;

  const shutdown = (signal: string) => {
    draining = true;
    closing ??= (async () => {
      logger.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error('shutdown timed out, exiting');
        process.exit(1);
      }, timeoutMs);
      timer.unref();
      for (const { name, close } of [...closers].reverse()) {
        try {
          await close();
        } catch (error) {
          logger.warn({ err: error, name }, 'error while closing');
        }
      }
      // Last: the spans of the shutdown itself are flushed to the trace store too (nothing when tracing is off).
      await stopTelemetry();
      clearTimeout(timer);
      logger.info('stopped');
    })();
    return closing;
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void shutdown(signal).then(() => process.exit(0)));
  }
  // The dev orchestrator's IPC channel closing means the parent is gone: do not linger.
  process.once('disconnect', () => void shutdown('disconnect').then(() => process.exit(0)));

  return {
    add(name: string, close: Closer) {
      closers.push({ name, close });
    },
    shutdown,
    /** True once shutdown began. */
    get draining() {
      return draining;
    },
  };
}
