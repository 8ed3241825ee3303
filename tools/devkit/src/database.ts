/**
 * Which backend FerretDB runs on, and starting it (with its private PostgreSQL when that is the
 * backend): for `npm run dev`, the tests and the benchmarks (docs/ferretdb.md).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresUnavailableError, startPostgres } from './postgres.js';
import { type ChildService, startFerretDB, startRedis } from './services.js';

export type FerretDBBackend = 'postgresql' | 'sqlite';

/** FerretDB, ready, on the backend that runs it. */
export interface StartedDatabase {
  /** `mongodb://127.0.0.1:<port>/`. */
  url: string;
  backend: FerretDBBackend;
  /** What runs, for a banner: `PostgreSQL 15 (private server on :40123)`, `SQLite in <dir>`. */
  description: string;
  /** In start order: the private PostgreSQL (when it runs one), then FerretDB; stop them in reverse. */
  services: ChildService[];
}

/**
 * Starts FerretDB with its data under `dataDir` on the backend FERRETDB_BACKEND asks for:
 * `postgresql` (on `postgresUrl` when given, else on a private server started here under
 * `<dataDir>/postgres`), `sqlite`, or `auto` (the default): PostgreSQL when this machine can
 * run it, else SQLite, saying so once through `onNote`. `throwaway`: the data is deleted after
 * this run (tests, benchmarks), so the private server skips flushing to disk.
 */
export async function startDatabase({
  dataDir,
  throwaway = false,
  postgresUrl,
  backend = process.env.FERRETDB_BACKEND,
  onOutput,
  onNote,
}: {
  dataDir: string;
  throwaway?: boolean;
  /** An existing PostgreSQL database for FerretDB (`FERRETDB_POSTGRESQL_URL`): no private server. */
  postgresUrl?: string;
  /** `auto` (the default, also when empty), `postgresql` or `sqlite`. */
  backend?: string;
  onOutput?: (name: 'ferretdb' | 'postgres', line: string) => void;
  onNote?: (line: string) => void;
}): Promise<StartedDatabase> {
  const choice = backend || 'auto';
  if (choice !== 'auto' && choice !== 'postgresql' && choice !== 'sqlite')
    throw new Error(`FERRETDB_BACKEND must be auto, postgresql or sqlite, not "${choice}"`);
  const ferretDir = join(dataDir, 'ferretdb');
  const ferretOutput = (line: string) => onOutput?.('ferretdb', line);

  if (choice !== 'sqlite') {
    if (postgresUrl) {
      const ferret = await startFerretDB({ dataDir: ferretDir, postgresUrl, onOutput: ferretOutput });
      return { url: ferret.url, backend: 'postgresql', description: 'PostgreSQL (FERRETDB_POSTGRESQL_URL)', services: [ferret] };
    }
    let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined;
    try {
      postgres = await startPostgres({ dataDir: join(dataDir, 'postgres'), throwaway, onOutput: (line) => onOutput?.('postgres', line) });
    } catch (error) {
      if (!(error instanceof PostgresUnavailableError) || choice === 'postgresql') throw error;
      onNote?.(`FerretDB runs on SQLite, slower than on PostgreSQL: ${error.message} (FERRETDB_BACKEND=sqlite|postgresql chooses; docs/ferretdb.md)`);
    }
    if (postgres) {
      try {
        const ferret = await startFerretDB({ dataDir: ferretDir, postgresUrl: postgres.url, onOutput: ferretOutput });
        return {
          url: ferret.url,
          backend: 'postgresql',
          description: `PostgreSQL ${postgres.version} (private server on ${postgres.url.replace(/^postgres:\/\/[^@]*@/, '')}, data in ${join(dataDir, 'postgres')})`,
          services: [postgres, ferret],
        };
      } catch (error) {
        await postgres.stop();
        throw error;
      }
    }
  }
  const ferret = await startFerretDB({ dataDir: ferretDir, onOutput: ferretOutput });
  return { url: ferret.url, backend: 'sqlite', description: `SQLite in ${join(ferretDir, 'sqlite')}`, services: [ferret] };
}

/**
 * FerretDB (throwaway data, on the backend `startDatabase` picks) and redis-server on free
 * ports, each only when its URL is not given: what tests and benchmarks need. `stop()` ends
 * what was started and removes the data. `backend` is null when `mongoUri` was given.
 */
export async function startMissingServices({
  mongoUri,
  redisUrl,
  onOutput,
}: {
  mongoUri?: string;
  redisUrl?: string;
  onOutput?: (name: string, line: string) => void;
}) {
  const started: ChildService[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'stagelives-'));
  // A private PostgreSQL started by root runs as the `postgres` user, which must pass through.
  chmodSync(dataDir, 0o711);
  const stop = async () => {
    for (const service of started.reverse()) await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let backend: FerretDBBackend | null = null;
  try {
    if (!mongoUri) {
      const database = await startDatabase({
        dataDir,
        throwaway: true,
        onOutput: (name, line) => onOutput?.(name, line),
        // Said even without `onOutput`: a benchmark on the slower backend must not pass unnoticed.
        onNote: (line) => (onOutput ? onOutput('devkit', line) : process.stderr.write(`[devkit] ${line}\n`)),
      });
      started.push(...database.services);
      mongoUri = database.url;
      backend = database.backend;
    }
    if (!redisUrl) {
      const redis = await startRedis();
      started.push(redis);
      redisUrl = redis.url;
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { mongoUri, redisUrl, backend, stop };
}
