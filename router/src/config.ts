import { z } from 'zod';
import { ConfigError, baseEnv, env, loadConfig, subgraphUrls } from '@stagelives/platform';
import { SUBGRAPH_NAMES } from '@stagelives/schema';

export const routerEnv = {
  ...baseEnv,
  /** Port of the public entry point. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Address to bind; all interfaces in production, loopback otherwise. */
  HOST: z.string().optional(),
  /** Path of the composed supergraph SDL (default: the checked-in schema/supergraph.graphql). */
  SUPERGRAPH_PATH: z.string().optional(),
  /**
   * Where to fetch the composed supergraph SDL over HTTP(S) instead of a file (not with
   * SUPERGRAPH_PATH). Polled with If-None-Match / If-Modified-Since.
   */
  SUPERGRAPH_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'expected an http(s) URL')
      .optional(),
  ),
  /**
   * How often the supergraph source (SUPERGRAPH_PATH or SUPERGRAPH_URL) is read again, seconds
   * (fractions allowed); a changed, valid supergraph replaces the served one without a restart
   * (router/src/supergraph-source.ts). 0: read once at start.
   */
  SUPERGRAPH_POLL_SECONDS: z.coerce.number().min(0).default(10),
  /** `name=url` pairs, comma-separated, overriding subgraph URLs from the supergraph file. */
  SUBGRAPH_URLS: subgraphUrls,
  /** Allow introspection in production (it is always on elsewhere). */
  ALLOW_INTROSPECTION: env.bool.default('false'),
  /**
   * Whether to believe X-Forwarded-For, with Express's "trust proxy" meaning: `false` (default),
   * `true`, a hop count, or comma-separated proxy addresses/CIDRs (`loopback`, `10.0.0.0/8`).
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | number | string[] => {
      const t = v.trim();
      if (t === '' || t === 'false') return false;
      if (t === 'true') return true;
      if (/^\d+$/.test(t)) return Number(t);
      return t
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }),
  /** Origins allowed to call the API from a browser, comma-separated (none by default). */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** Largest accepted request body. */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i)
    .default('100kb'),
  /** Rate-limit window, seconds, and operations allowed per window and client. */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  RATE_LIMIT_DEFAULT: z.coerce.number().int().positive().default(100),
  RATE_LIMIT_AUTH: z.coerce.number().int().positive().default(20),
  RATE_LIMIT_PUBLIC_READ: z.coerce.number().int().positive().default(200),
  /** Operation limits, checked before any subgraph is called. */
  MAX_DEPTH: z.coerce.number().int().positive().default(12),
  MAX_ALIASES: z.coerce.number().int().positive().default(15),
  MAX_DIRECTIVES: z.coerce.number().int().positive().default(10),
  MAX_TOKENS: z.coerce.number().int().positive().default(2000),
  /**
   * Largest operation cost (router/src/cost/): an object field costs 1, a scalar 0, a list
   * multiplies by its actual size (the `first`/`last` given, as a literal or a variable, else the
   * schema's `@listSize`). 6000: the contract's costliest operation at its largest pages costs
   * 1,001; a page of 50 concerts with their setlists 5,651; two nested pages of 100 messages 20,402.
   */
  MAX_COST: z.coerce.number().int().positive().default(6000),
  /**
   * Bytes of subgraph answers one operation may gather (and of one subscription payload); past it
   * the operation answers RESPONSE_TOO_LARGE. The last line behind MAX_COST.
   */
  MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** Time to receive a whole HTTP request, headers and body (slow bodies are cut with 408). */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Time to receive an HTTP request's headers (at most HTTP_REQUEST_TIMEOUT_MS). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * Open HTTP connections per client address (WebSockets, limited on their own, not counted; nor
   * the proxies TRUST_PROXY trusts, which speak for many clients); past it a new connection gets
   * 429 and is closed. 0: no cap.
   */
  HTTP_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).default(64),
  /** Subscriptions (graphql-ws on /graphql). Concurrent subscriptions per connection. */
  WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().positive().default(20),
  /**
   * Open WebSocket connections one router holds; past it an upgrade is refused with 503 and
   * Retry-After, so the client (and the load balancer) tries another router. Sized to the
   * router's heap cap (deploy/base/router.yaml: at 192 MB a router stops near 14,000 idle
   * subscribers, measured; 6,000 leaves room for backlogs under load and for HTTP).
   */
  WS_MAX_CONNECTIONS: z.coerce.number().int().positive().default(6000),
  /** New WebSocket connections per client IP per minute. */
  WS_CONNECTIONS_PER_MINUTE: z.coerce.number().int().positive().default(60),
  /** How long a client may wait before `connection_init` (close 4408). */
  WS_INIT_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
  /** How often a connection's session is checked again (a logged-out user's sockets close then). */
  WS_SESSION_CHECK_SECONDS: z.coerce.number().positive().default(30),
  /** Interval of WebSocket pings; a client that misses one is disconnected. */
  WS_KEEPALIVE_SECONDS: z.coerce.number().positive().default(15),
  /** Bytes queued to a slow client before its socket is closed with 1013. */
  WS_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** How often watched chat rooms are re-read from storage even without events. */
  CHAT_RESYNC_SECONDS: z.coerce.number().positive().default(15),
  /**
   * `trusted`: run only the client contract's operations (`contract/*.graphql`), sent as text or
   * as their sha256 (`extensions.persistedQuery`); anything else is refused. `all` (default): any.
   */
  OPERATIONS: z.enum(['all', 'trusted']).default('all'),
  /** Where the contract's `*.graphql` files are (default: the project's `contract/`). */
  CONTRACT_DIR: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  /**
   * Prometheus `/metrics` on a port of its own (then not on the public port); 0 picks a free
   * one. Unset: on the public port outside production, and in production only with METRICS_TOKEN.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Address of the metrics port (default: HOST's). */
  METRICS_HOST: z.string().optional(),
  /**
   * The shared response cache (Redis) of public reads, driven by the subgraphs' cache hints and
   * purged by domain events and mutations (router/src/response-cache/). `off` disables it.
   */
  RESPONSE_CACHE: z.enum(['on', 'off']).default('on'),
  /** Identical anonymous queries in flight to one subgraph share one fetch (router/src/dedupe-fetch.ts); `off` for measurements. */
  SUBGRAPH_FETCH_DEDUPE: z.enum(['on', 'off']).default('on'),
  /**
   * Budget of one subgraph request, ms (retry and body included): past it the subgraph's fields
   * are null with a SUBGRAPH_UNAVAILABLE error (router/src/resilience/). Default 5000.
   */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().max(120_000).default(5_000),
  /** Per-subgraph budgets overriding SUBGRAPH_TIMEOUT_MS: `name=ms` pairs, comma-separated (`setlists=2000,chat=3000`). */
  SUBGRAPH_TIMEOUTS_MS: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const map: Record<string, number> = {};
      for (const pair of s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const [name = '', ms = ''] = pair.split('=').map((p) => p.trim());
        if (!(SUBGRAPH_NAMES as readonly string[]).includes(name) || !/^\d+$/.test(ms) || Number(ms) < 1 || Number(ms) > 120_000) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: `expected name=ms pairs (name one of ${SUBGRAPH_NAMES.join(', ')}; 1-120000 ms), got "${pair}"`,
          });
          return z.NEVER;
        }
        map[name] = Number(ms);
      }
      return map;
    }),
  /** Consecutive failures (timeouts, connection errors, HTTP 502-504) that open a subgraph's circuit breaker. */
  SUBGRAPH_BREAKER_FAILURES: z.coerce.number().int().positive().default(5),
  /** How long an open breaker fails fast before one probe request may close it, ms. */
  SUBGRAPH_BREAKER_HALF_OPEN_MS: z.coerce.number().int().positive().default(10_000),
  /** The schema explorer (GraphiQL at GET /graphql for browsers); unset or empty: on outside production. */
  EXPLORER: z.preprocess((v) => (v === '' ? undefined : v), env.bool.optional()),
};

export type RouterConfig = ReturnType<typeof loadRouterConfig>;

export function loadRouterConfig(e: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(routerEnv, e);
  if (config.SUPERGRAPH_URL && config.SUPERGRAPH_PATH) throw new ConfigError('Invalid configuration:\n  - set SUPERGRAPH_PATH or SUPERGRAPH_URL, not both');
  return config;
}
