/**
 * The side-by-side benchmark's load generator (forked by `../peers.ts`, driven over IPC): runs
 * autocannon in this process, so the measured servers never share an event loop with it.
 *
 * `{ type: 'run', url, connections, seconds | amount, variants }`: POSTs for `seconds` (or until
 * `amount` requests are answered) with `connections` connections; request k (over all connections) sends `variants[k % variants.length]` (its body
 * and extra headers), so 500 operation shapes or many users' writes spread over every
 * connection instead of all connections starting at the same one. A 2xx answer whose body
 * carries `"errors"` counts as a GraphQL error (autocannon's body mismatch).
 */
import autocannon from 'autocannon';

export interface Variant {
  body: string;
  headers?: Record<string, string>;
}

export interface RunRequest {
  type: 'run';
  url: string;
  connections: number;
  seconds: number;
  /** Instead of `seconds`: send this many requests (spread over the connections) and wait for every answer. */
  amount?: number;
  /** A request unanswered this long is abandoned and counted as an error. */
  timeoutSeconds: number;
  variants: Variant[];
}

export interface LoadResult {
  /** Answered requests. */
  requests: number;
  /** Requests sent but still unanswered when the run ended (abandoned: not in the latencies). */
  unanswered: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  /** Socket errors and timeouts (requests unanswered after `timeoutSeconds`). */
  errors: number;
  /** Answers whose body carries GraphQL `errors`. */
  gqlErrors: number;
  /** The first such body (or non-2xx body), shortened. */
  firstErrorBody: string | null;
  statusCodes: Record<string, number>;
  seconds: number;
}

async function run(req: RunRequest): Promise<LoadResult> {
  let k = 0;
  let firstErrorBody: string | null = null;
  const base = { 'content-type': 'application/json', accept: 'application/json' };
  const { variants } = req;
  const result = await autocannon({
    url: req.url,
    connections: req.connections,
    ...(req.amount ? { amount: req.amount } : { duration: req.seconds }),
    timeout: req.timeoutSeconds,
    method: 'POST',
    headers: base,
    requests: [
      {
        method: 'POST',
        setupRequest: (r) => {
          const v = variants[k % variants.length]!;
          k += 1;
          return { ...r, method: 'POST', body: v.body, headers: v.headers ? { ...base, ...v.headers } : base };
        },
      },
    ],
    verifyBody: (raw) => {
      const body = raw === undefined ? '' : String(raw);
      const bad = body.includes('"errors"');
      if (bad && firstErrorBody === null) firstErrorBody = body.slice(0, 500);
      return !bad;
    },
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = (stat as { count: number }).count;
  return {
    requests: result.requests.total,
    unanswered: Math.max(0, ((result.requests as { sent?: number }).sent ?? result.requests.total) - result.requests.total - result.errors),
    // A round (amount): answers over its whole time; a window: autocannon's per-second average.
    rps: req.amount ? result.requests.total / result.duration : result.requests.average,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    // autocannon's `errors` include its `timeouts`.
    errors: result.errors,
    gqlErrors: (result as unknown as { mismatches?: number }).mismatches ?? 0,
    firstErrorBody,
    statusCodes,
    seconds: result.duration,
  };
}

process.on('message', (msg: RunRequest & { id: number }) => {
  if (msg?.type !== 'run') return;
  run(msg).then(
    (r) => process.send?.({ reply: msg.id, ...r }),
    (error: unknown) => process.send?.({ reply: msg.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'listening', port: 0 });
