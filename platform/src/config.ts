import { z } from 'zod';
import { parseRedisUrl } from './redis/redis-url.js';

/** Thrown when the environment does not satisfy a config schema; names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates environment variables once, at start-up.
 * A missing or malformed value stops the process with a message naming the variable.
 */
export function loadConfig<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const name = i.path.join('.');
      return env[name] === undefined || env[name] === '' ? `${name} is required but not set` : `${name}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return result.data;
}

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Environment variables every process of the stack reads. */
export const baseEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI'),
  /** Each domain gets its own database: `${MONGODB_DB_PREFIX}${domain}`. */
  MONGODB_DB_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,32}$/)
    .default('stagelives_'),
  /**
   * MongoDB read/write concerns and read preference (replica sets, Atlas). Unset: the
   * connection string's own (`?w=…&readConcernLevel=…&readPreference=…`), else the driver's
   * defaults outside production and `majority`/`majority`/`primary` in production (see
   * `mongoClientOptions`). FerretDB accepts and ignores them.
   */
  MONGODB_WRITE_CONCERN: z
    .string()
    .regex(/^(majority|\d{1,2}|[A-Za-z][\w-]{0,63})$/, 'must be majority, a number of nodes or a tag set name')
    .optional(),
  MONGODB_READ_CONCERN: z.enum(['local', 'available', 'majority', 'linearizable', 'snapshot']).optional(),
  MONGODB_READ_PREFERENCE: z.enum(['primary', 'primaryPreferred', 'secondary', 'secondaryPreferred', 'nearest']).optional(),
  /** One server, a Sentinel group or a Cluster: the forms are in platform/src/redis/redis-url.ts. */
  REDIS_URL: z.string().superRefine((url, ctx) => {
    try {
      parseRedisUrl(url);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  }),
  /** Prefix of every Redis key and BullMQ queue of this stack. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,64}$/)
    .default('sl:'),
  /** Shared secret that signs the identity header between router and subgraphs (≥ 32 chars). */
  IDENTITY_SECRET: z.string().min(32, 'must be at least 32 characters'),
  SESSION_IDLE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(60 * 60 * 24 * 14),
  SESSION_ABSOLUTE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(60 * 60 * 24 * 60),
  ADMIN_EMAILS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    ),
  /**
   * Multiplies every field's `@rateLimit` limit (the SDL declares production's): load tests and
   * benchmarks raise it; 1 everywhere else.
   */
  FIELD_RATE_LIMIT_FACTOR: z.coerce.number().positive().default(1),
  /** When set, `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>` (every process). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Shutdown: how long readiness answers 503 before the listener closes (load balancers stop
   * sending meanwhile); default 0, and 5000 in production.
   */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).optional(),
  /** Shutdown: the whole drain's bound; a process still closing then exits with 1. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
};

/**
 * `name=url` pairs, comma-separated, of subgraph URLs (`SUBGRAPH_URLS`): the router's overrides of
 * the supergraph's URLs, and how a subgraph that calls others finds them (SUBGRAPH_CALLS).
 */
export const subgraphUrls = z
  .string()
  .default('')
  .transform((s, ctx) => {
    const map: Record<string, string> = {};
    for (const pair of s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [name, url] = pair.split('=');
      if (!name || !url || !/^https?:\/\//.test(url)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected name=http(s)://… pairs, got "${pair}"` });
        return z.NEVER;
      }
      map[name] = url;
    }
    return map;
  });

/** How long readiness answers 503 before listeners close (see SHUTDOWN_DELAY_MS). */
export const shutdownDelayMs = (config: Pick<BaseConfig, 'NODE_ENV' | 'SHUTDOWN_DELAY_MS'>): number =>
  config.SHUTDOWN_DELAY_MS ?? (config.NODE_ENV === 'production' ? 5_000 : 0);

export const env = { bool };

export type BaseConfig = z.infer<z.ZodObject<typeof baseEnv>>;

/** Loads the variables shared by every process. */
export function loadBaseConfig(e: NodeJS.ProcessEnv = process.env): BaseConfig {
  return loadConfig(baseEnv, e);
}
