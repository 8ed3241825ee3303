import type { ApolloServerPlugin } from '@apollo/server';
import express, { type Express, type RequestHandler } from 'express';
import { Counter, METRICS_PREFIX, Metrics, errorCodeLabel, metricsHandler, operationNames, type Logger } from '@stagelives/platform';
import type { RouterConfig } from './config.js';
import type { RouterContext } from './context.js';
import type { SubgraphHealth, SubgraphPolicyObserver } from './resilience/index.js';
import { SUPERGRAPH_RELOAD_OUTCOMES, type SupergraphReloadObserver, type SupergraphReloadOutcome } from './supergraph-source.js';

/** What the router's metrics read from the parts that own the numbers (collected at scrape time). */
export interface RouterMetricSources {
  /** Open WebSocket connections. */
  connections(): number;
  /** Subscriptions running over them. */
  subscriptions(): number;
  /** `next` messages handed to sockets so far (a running total). */
  deliveries(): number;
  /** WebSocket upgrades refused by the per-IP connection limit so far. */
  refusedUpgrades(): number;
  /** Chat rooms this instance watches. */
  watchedRooms(): number;
}

/** Observes subgraph fetches (the gateway's data sources call it). */
export interface SubgraphFetchObserver {
  fetched(subgraph: string, seconds: number, outcome: 'ok' | 'error'): void;
}

/**
 * The router's Prometheus series (`stagelives_router_*`). Operation names come only from the
 * request's resolved operation name, checked and capped (`operationNames`); never a query text
 * or an id.
 */
export class RouterMetrics implements SubgraphFetchObserver, SubgraphPolicyObserver, SupergraphReloadObserver {
  readonly metrics = new Metrics();
  private readonly label = operationNames();
  private sources: RouterMetricSources | undefined;
  private refusedUpgradesReported = 0;
  private readonly requests = this.metrics.counter(
    'router_requests_total',
    'GraphQL operations over HTTP, by operation name and outcome (ok, or the first error code).',
    ['operation', 'outcome'],
  );
  private readonly duration = this.metrics.histogram(
    'router_request_duration_seconds',
    'Time from receiving a GraphQL operation over HTTP to its response, by operation name.',
    ['operation'],
  );
  private readonly fetchDuration = this.metrics.histogram(
    'router_subgraph_fetch_duration_seconds',
    'Subgraph fetches made by the gateway, by subgraph and outcome (error: no GraphQL response).',
    ['subgraph', 'outcome'],
  );
  private readonly subgraphTimeouts = this.metrics.counter(
    'router_subgraph_timeouts_total',
    'Subgraph requests abandoned at their timeout (SUBGRAPH_TIMEOUT_MS), by subgraph.',
    ['subgraph'],
  );
  private readonly subgraphRetries = this.metrics.counter(
    'router_subgraph_retries_total',
    'Subgraph reads sent again after a refused or reset connection, by subgraph.',
    ['subgraph'],
  );
  private readonly subgraphShortCircuits = this.metrics.counter(
    'router_subgraph_short_circuited_total',
    "Subgraph requests failed at once because the subgraph's circuit breaker was open, by subgraph.",
    ['subgraph'],
  );
  private readonly supergraphReloads = (() => {
    const counter = this.metrics.counter(
      'supergraph_reloads_total',
      'Supergraph polls, by outcome: applied (a changed supergraph now served), refused (it did not parse or compose: the previous one keeps serving), unavailable (the source could not be read).',
      ['outcome'],
    );
    // Every outcome from 0, so an alert on a rise sees the first one.
    for (const outcome of SUPERGRAPH_RELOAD_OUTCOMES) counter.inc({ outcome }, 0);
    return counter;
  })();
  private readonly rateLimited = (() => {
    const self = this;
    return new Counter<'bucket'>({
      name: `${METRICS_PREFIX}router_rate_limited_total`,
      help: 'Operations (by rate-limit bucket) and WebSocket connections (ws-connect) refused by a rate limit.',
      labelNames: ['bucket'],
      registers: [this.metrics.registry],
      // WebSocket upgrades refused by the connection limit are counted by the WebSocket server; added here at scrape time.
      collect() {
        const now = self.sources?.refusedUpgrades() ?? 0;
        if (now > self.refusedUpgradesReported) this.inc({ bucket: 'ws-connect' }, now - self.refusedUpgradesReported);
        self.refusedUpgradesReported = Math.max(self.refusedUpgradesReported, now);
      },
    });
  })();

  /** Registers the gauges and counters read from the WebSocket server and the chat hub (once). */
  watch(sources: RouterMetricSources): void {
    this.sources = sources;
    const m = this.metrics;
    m.gauge('router_websocket_connections', 'Open WebSocket (graphql-ws) connections.', [], function () {
      this.set(sources.connections());
    });
    m.gauge('router_subscriptions_active', 'Subscriptions running over WebSocket connections.', [], function () {
      this.set(sources.subscriptions());
    });
    m.gauge('router_chat_rooms_watched', 'Chat rooms this router instance watches.', [], function () {
      this.set(sources.watchedRooms());
    });
    m.scrapedCounter('router_subscription_deliveries_total', 'Subscription events (`next` messages) sent to clients.', () => sources.deliveries());
  }

  /** The breaker state gauge, read from the subgraphs' policies at scrape time (once). */
  watchSubgraphs(health: () => Record<string, SubgraphHealth>): void {
    const value = { closed: 0, 'half-open': 1, open: 2 } as const;
    this.metrics.gauge(
      'router_subgraph_breaker_state',
      'Circuit breaker of each subgraph: 0 closed, 1 half-open (one probe allowed), 2 open (failing fast).',
      ['subgraph'],
      function () {
        for (const [subgraph, h] of Object.entries(health())) this.set({ subgraph }, value[h.state]);
      },
    );
  }

  timedOut(subgraph: string): void {
    this.subgraphTimeouts.inc({ subgraph });
  }

  retried(subgraph: string): void {
    this.subgraphRetries.inc({ subgraph });
  }

  shortCircuited(subgraph: string): void {
    this.subgraphShortCircuits.inc({ subgraph });
  }

  supergraphReload(outcome: SupergraphReloadOutcome): void {
    this.supergraphReloads.inc({ outcome });
  }

  fetched(subgraph: string, seconds: number, outcome: 'ok' | 'error'): void {
    this.fetchDuration.observe({ subgraph, outcome }, seconds);
  }

  /** Counts and times every client operation over HTTP (the chat hub's internal reads are not client operations). */
  plugin(): ApolloServerPlugin<RouterContext> {
    return {
      requestDidStart: async () => {
        const started = performance.now();
        return {
          willSendResponse: async ({ contextValue, operationName, request, errors }) => {
            if (contextValue.internal) return;
            // The resolved operation's name; before resolution (parse/validation errors), the one the request gave.
            const operation = this.label(operationName ?? request.operationName);
            const first = errors?.[0];
            this.requests.inc({ operation, outcome: first ? errorCodeLabel(first.extensions?.code) : 'ok' });
            this.duration.observe({ operation }, (performance.now() - started) / 1000);
            for (const error of errors ?? []) {
              if (error.extensions?.code !== 'RATE_LIMITED') continue;
              const bucket = error.extensions.bucket;
              this.rateLimited.inc({ bucket: typeof bucket === 'string' ? bucket : 'unknown' });
              break;
            }
          },
        };
      },
    };
  }
}

export interface MetricsExposure {
  /** Serve `/metrics` on the public port. */
  public: boolean;
  /** Serve it on a port of its own (`METRICS_PORT`). */
  port: number | undefined;
  host: string | undefined;
  token: string | undefined;
}

/**
 * Where the router's `/metrics` answers: on `METRICS_PORT` when set (and then not on the public
 * port); otherwise on the public port outside production, or in production only with
 * `METRICS_TOKEN` (a bearer token every scrape must send). A token, when set, is required on
 * either port.
 */
export function metricsExposure(config: RouterConfig): MetricsExposure {
  const production = config.NODE_ENV === 'production';
  const port = config.METRICS_PORT;
  return {
    public: port === undefined && (!production || Boolean(config.METRICS_TOKEN)),
    port,
    host: config.METRICS_HOST ?? config.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    token: config.METRICS_TOKEN,
  };
}

/** The app of the separate metrics port: `/metrics` and the other operator routes (`/health/subgraphs`). */
export function metricsApp(metrics: Metrics, token: string | undefined, logger: Logger, routes: Record<string, RequestHandler> = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(metrics, { token }));
  for (const [path, handler] of Object.entries(routes)) app.get(path, handler);
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not Found\n');
  });
  logger.debug('metrics served on their own port');
  return app;
}
