import {
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  handleWhen,
  isBrokenCircuitError,
  isIsolatedCircuitError,
  isTaskCancelledError,
  retry,
  timeout,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { SubgraphUnavailableError, type UnavailableReason } from './subgraph-unavailable-error.js';

/** What the policies report (metrics). */
export interface SubgraphPolicyObserver {
  timedOut(subgraph: string): void;
  retried(subgraph: string): void;
  shortCircuited(subgraph: string): void;
}

export interface SubgraphPolicyOptions {
  /** Budget of one subgraph request, retry included, body read included (ms). */
  timeoutMs: number;
  /** Consecutive failures (timeouts, connection errors, HTTP 502/503/504) that open the breaker. */
  breakerFailures: number;
  /** How long an open breaker fails fast before it lets one probe request through (ms). */
  halfOpenAfterMs: number;
  observer?: SubgraphPolicyObserver | undefined;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A subgraph's breaker as `/health/subgraphs` and `/metrics` show it. */
export interface SubgraphHealth {
  state: BreakerState;
  /** When the last failure counted by the breaker happened (ISO), or null. */
  lastFailureAt: string | null;
  lastFailure: UnavailableReason | `http-${number}` | null;
}

/** Errors under fetch's "fetch failed" that mean the connection failed, not the subgraph's answer. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function causeCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth += 1) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/** A connection that failed or was reset: a read is safe to send again. */
function isConnectionError(error: unknown): boolean {
  const code = causeCode(error);
  return code !== undefined && CONNECTION_CODES.has(code);
}

/**
 * One subgraph's timeout, retry and circuit breaker (cockatiel), shared by every request to it.
 * Composition, outermost first: a timeout over the whole call (so a retry never stretches the
 * budget), one immediate retry on a connection error for queries only, and the breaker, which
 * counts every attempt.
 *
 * - Timeout: aggressive (the caller gets its answer at the deadline) and the attempt's
 *   AbortSignal fires, so fetch closes the socket instead of waiting on a hung process.
 * - Retry: a query (a read) is retried once when the connection was refused or reset; a
 *   mutation never (a reset may come after the subgraph ran it), and nothing is retried after a
 *   timeout: the budget is spent and the subgraph may still be working on it.
 * - Breaker: opens after `breakerFailures` consecutive failures; while open, calls fail at once
 *   (no socket, no wait); after `halfOpenAfterMs` one probe goes through and its success closes it.
 */
export class SubgraphPolicy {
  private readonly breaker;
  private readonly forQueries: IPolicy;
  private readonly forMutations: IPolicy;
  private failureAt: number | null = null;
  private failure: SubgraphHealth['lastFailure'] = null;
  private readonly observer: SubgraphPolicyObserver | undefined;

  constructor(
    readonly subgraph: string,
    { timeoutMs, breakerFailures, halfOpenAfterMs, observer }: SubgraphPolicyOptions,
  ) {
    this.breaker = circuitBreaker(
      handleAll.orWhenResult((r) => r instanceof Response && r.status >= 502 && r.status <= 504),
      { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(breakerFailures) },
    );
    this.breaker.onFailure(({ reason }) => {
      this.failureAt = Date.now();
      this.failure = 'error' in reason ? reasonOf(reason.error) : `http-${(reason.value as Response).status}`;
    });
    // No abort once the call has returned: the answer has been read whole by then (resilient-fetch.ts), and aborting a
    // finished fetch only costs an AbortError and its event on every request.
    const deadline = timeout(timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    deadline.onTimeout(() => observer?.timedOut(subgraph));
    const once = retry(handleWhen(isConnectionError), { maxAttempts: 1 });
    once.onRetry(() => observer?.retried(subgraph));
    this.forQueries = wrap(deadline, once, this.breaker);
    this.forMutations = wrap(deadline, this.breaker);
    this.observer = observer;
  }

  /**
   * Runs `attempt` (given the AbortSignal to pass to fetch) under the policies. A failure of the
   * subgraph is thrown as SubgraphUnavailableError; an HTTP answer, even an error, is returned.
   */
  async execute<T>(kind: 'query' | 'mutation', attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const policy = kind === 'query' ? this.forQueries : this.forMutations;
    try {
      return (await policy.execute(({ signal }) => attempt(signal))) as T;
    } catch (error) {
      const reason = reasonOf(error);
      if (reason === 'circuit-open') this.observer?.shortCircuited(this.subgraph);
      throw new SubgraphUnavailableError(this.subgraph, reason);
    }
  }

  get health(): SubgraphHealth {
    return { state: this.state, lastFailureAt: this.failureAt === null ? null : new Date(this.failureAt).toISOString(), lastFailure: this.failure };
  }

  get state(): BreakerState {
    const s = this.breaker.state;
    return s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'half-open' : 'open';
  }
}

function reasonOf(error: unknown): UnavailableReason {
  if (isBrokenCircuitError(error) || isIsolatedCircuitError(error)) return 'circuit-open';
  // The timeout policy's TaskCancelledError, or fetch's own abort.
  if (
    isTaskCancelledError(error) ||
    error instanceof TaskCancelledError ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
  )
    return 'timeout';
  return 'connection';
}
