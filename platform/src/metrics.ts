import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram };

/** Prefix of every series of ours (the process and Node.js defaults keep their standard names). */
export const METRICS_PREFIX = 'stagelives_';

/** Latency buckets, seconds: 5 ms … 10 s. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processRegistry: Registry | undefined;

/**
 * The process's default metrics (CPU, memory, event loop lag, GC, handles: `process_*`,
 * `nodejs_*`), collected once per process however many servers it hosts (the tests run the
 * router and every subgraph in one process), and appended to each server's own registry.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * One server's metrics: its own registry (its series only), rendered together with the
 * process's default metrics.
 */
export class Metrics {
  readonly registry = new Registry();

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter<L>({ name: `${METRICS_PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], collect?: (this: Gauge<L>) => void | Promise<void>): Gauge<L> {
    return new Gauge<L>({ name: `${METRICS_PREFIX}${name}`, help, labelNames, registers: [this.registry], ...(collect ? { collect } : {}) });
  }

  histogram<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], buckets = LATENCY_BUCKETS): Histogram<L> {
    return new Histogram<L>({ name: `${METRICS_PREFIX}${name}`, help, labelNames, buckets, registers: [this.registry] });
  }

  /**
   * A counter kept as a plain number by a hot path (`read()` returns its running total) and
   * brought up to date only when scraped: the hot path pays one addition, not a label lookup.
   */
  scrapedCounter(name: string, help: string, read: () => number): Counter {
    let reported = 0;
    return new Counter({
      name: `${METRICS_PREFIX}${name}`,
      help,
      registers: [this.registry],
      collect() {
        const now = read();
        if (now > reported) this.inc(now - reported);
        reported = Math.max(reported, now);
      },
    });
  }

  /** The exposition text: this server's series, then the process's defaults. */
  async render(): Promise<string> {
    const [own, defaults] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${defaults}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Compares a presented bearer token with the configured one in constant time. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(match[1]!.trim()), digest(token));
}

/**
 * `GET /metrics` for Express. With `token`, a scrape must send `Authorization: Bearer <token>`
 * (401 otherwise); without, it answers anyone who reaches the port (bind it to an internal
 * address, or use a separate port).
 */
export function metricsHandler(metrics: Metrics, { token }: { token?: string | undefined } = {}): RequestHandler {
  const guard = operatorOnly(token);
  return (req, res, next) => {
    if (!guard(req, res)) return;
    metrics.render().then((body) => {
      res.set('content-type', metrics.contentType).set('cache-control', 'no-store').send(body);
    }, next);
  };
}

/**
 * The check of an operator endpoint (`/metrics`, the router's `/health/subgraphs`): with a token,
 * the request must carry it as a bearer token (constant-time compare), else 401. Returns whether
 * the request may go on.
 */
export function operatorOnly(token: string | undefined): (req: Request, res: Response) => boolean {
  return (req, res) => {
    if (!token || tokenMatches(req.headers.authorization, token)) return true;
    res.status(401).set('www-authenticate', 'Bearer realm="metrics"').type('text/plain').send('Unauthorized\n');
    return false;
  };
}

/** Whatever the client sent as an operation name, made safe as a label value: bounded length and alphabet. */
function operationLabel(operationName: string | null | undefined): string {
  if (!operationName) return 'anonymous';
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(operationName) ? operationName : 'invalid';
}

/**
 * Caps how many distinct operation names a label takes: the first `max` names seen keep their
 * own series, later ones are counted as `other` (a client inventing names cannot grow the series
 * without bound).
 */
export function operationNames(max = 200): (operationName: string | null | undefined) => string {
  const seen = new Set<string>();
  return (operationName) => {
    const label = operationLabel(operationName);
    if (seen.has(label)) return label;
    if (seen.size >= max) return 'other';
    seen.add(label);
    return label;
  };
}

/** Error code of a GraphQL error as a label (`extensions.code`, bounded), `INTERNAL_SERVER_ERROR` when none. */
export function errorCodeLabel(code: unknown): string {
  return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : 'INTERNAL_SERVER_ERROR';
}
