/**
 * A private PostgreSQL server for FerretDB's `pg` handler (docs/ferretdb.md): the machine's
 * PostgreSQL binaries (Debian's `postgresql` package), a cluster of its own under a data
 * directory, a free loopback port. It never touches a server the machine already runs (:5432).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { type ChildService, killOnExit, pipeLines, waitUntilListening } from './services.js';

/** Where Debian installs each major version: `/usr/lib/postgresql/<major>/bin`. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The database FerretDB keeps every MongoDB database in (one PostgreSQL schema each). */
const FERRETDB_PG_DATABASE = 'ferretdb';

/** PostgreSQL cannot run here (no binaries, no user to run them as, a data directory it cannot reach); nothing was started. */
export class PostgresUnavailableError extends Error {}

/** The directory with `initdb` and `postgres`: Debian's newest major version, else the ones on the PATH (`initdb` there). */
export function findPostgresBinDir(): string | null {
  const hasBoth = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  if (existsSync(DEBIAN_ROOT)) {
    const majors = readdirSync(DEBIAN_ROOT)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) if (hasBoth(join(DEBIAN_ROOT, major, 'bin'))) return join(DEBIAN_ROOT, major, 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const initdb = found.status === 0 ? found.stdout.trim() : '';
  const dir = initdb ? initdb.slice(0, initdb.lastIndexOf('/')) : '';
  return dir && hasBoth(dir) ? dir : null;
}

/**
 * Who runs the server: PostgreSQL refuses to run as root, so a root process (CI, containers)
 * runs it as the `postgres` user the package creates; anyone else runs it as themselves.
 */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.status !== 0 || gid.status !== 0) {
    throw new PostgresUnavailableError('running as root, and there is no `postgres` user to run PostgreSQL as');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Server settings that make a development server fast, on top of the defaults. None risks more
 * than the last moments of writes on a machine crash, and a clean stop (`stop()`) loses nothing:
 * - `plan_cache_mode=force_custom_plan`: FerretDB sends each filter as a prepared
 *   `_jsonb -> $1 @> $2`; only a plan made for the actual key matches an index on
 *   `(_jsonb -> 'key')`. The default switches a statement to a generic plan after five runs
 *   when that looks as cheap, and the generic plan scans (measured: 8 ms against 0.02 ms a
 *   query on 20,000 comments);
 * - `synchronous_commit=off`: a commit returns before its WAL reaches the disk. A machine crash
 *   loses at most the last ~0.6 s of commits, never consistency (unlike `fsync=off`);
 * - `wal_level=minimal`, `max_wal_senders=0`: no replica or archive reads this WAL, so it carries
 *   only what recovery needs;
 * - `jit=off`: compiling a plan costs tens of milliseconds, more than any query here;
 * - `autovacuum_naptime=10s`: fresh planner statistics and row counts (`$collStats`) shortly
 *   after a bulk load (a benchmark's seed), instead of a minute later;
 * - `log_checkpoints=off`, `log_min_error_statement=panic`: no log line per checkpoint, nor the
 *   statement of each error FerretDB answers (see worthShowing).
 */
const FAST_SETTINGS = [
  'plan_cache_mode=force_custom_plan',
  'synchronous_commit=off',
  'wal_level=minimal',
  'max_wal_senders=0',
  'jit=off',
  'autovacuum_naptime=10s',
  'log_checkpoints=off',
  'log_min_error_statement=panic',
];

/**
 * For a cluster that is thrown away when the tests or the benchmark end, and only there:
 * `fsync=off` and `full_page_writes=off` drop every flush to disk and the page images that
 * protect against torn writes. A clean stop still writes everything, but a machine crash can
 * leave the cluster unreadable, which is fine for data deleted at the end of the run and not
 * for `npm run dev`'s DATA_DIR, kept across restarts (there `synchronous_commit=off` already
 * removes the flush per commit, the cost that matters).
 */
const THROWAWAY_SETTINGS = ['fsync=off', 'full_page_writes=off'];

/**
 * Mirrors each MongoDB index FerretDB creates into an index PostgreSQL can use for FerretDB's
 * queries. FerretDB 1.24 pushes a top-level equality down as `_jsonb -> 'key' @> value`
 * (containment, so that it also matches inside arrays), but creates its indexes as B-trees on
 * `(_jsonb -> 'key')`, which serve `=` and ranges, not `@>`: every filtered read scanned its
 * table. For the leading key of every index (where MongoDB would use the index for an
 * equality), an event trigger adds a GIN index with `jsonb_path_ops` on the same expression,
 * which serves exactly `@>`. Nested keys (`a.b`) are skipped: FerretDB does not push them down.
 *
 * Robust by construction: a failure only logs a warning (FerretDB's own index stands); an
 * index FerretDB drops later leaves its GIN companion until the collection is dropped, which
 * costs writes, never correctness; FerretDB lists only the indexes in its metadata, so the
 * driver never sees the companions. Installed at every start, with a pass over the indexes that
 * exist already.
 */
const GIN_COMPANIONS_SQL = String.raw`
CREATE OR REPLACE FUNCTION public.stagelives_gin_companion(index_oid oid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  tbl regclass;
  tblname text;
  field text;
BEGIN
  SELECT i.indrelid::regclass, t.relname,
         substring(pg_get_indexdef(i.indexrelid, 1, false) FROM '^\(?\(_jsonb -> ''((?:[^'']|'''')*)''::text\)\)?$')
    INTO tbl, tblname, field
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_am am ON am.oid = ic.relam
    JOIN pg_class t ON t.oid = i.indrelid
   WHERE i.indexrelid = index_oid AND am.amname = 'btree' AND t.relname NOT LIKE '\_ferretdb\_%';
  IF field IS NULL THEN RETURN; END IF;
  field := replace(field, '''''', '''');
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L) jsonb_path_ops)',
                 left(tblname, 40) || '_gin_' || left(md5(field), 8), tbl, field);
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'stagelives: no GIN companion for index %: %', index_oid::regclass, SQLERRM;
END
$fn$;

CREATE OR REPLACE FUNCTION public.stagelives_gin_companions() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cmd record;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    PERFORM public.stagelives_gin_companion(cmd.objid);
  END LOOP;
END
$fn$;

DROP EVENT TRIGGER IF EXISTS stagelives_gin_companions;
CREATE EVENT TRIGGER stagelives_gin_companions ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION public.stagelives_gin_companions();

SELECT count(public.stagelives_gin_companion(i.indexrelid))
  FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast');
`;

/** Turns the companions off in a cluster that had them (those already built stay). */
const NO_GIN_COMPANIONS_SQL = 'DROP EVENT TRIGGER IF EXISTS stagelives_gin_companions;';

export interface PostgresService extends ChildService {
  /** `postgres://postgres@127.0.0.1:<port>/ferretdb`: FerretDB's `--postgresql-url`. */
  url: string;
  /** The major version running. */
  version: string;
}

/**
 * Which server log lines reach `onOutput`: warnings (a missing GIN companion) and what ends a
 * server or a session, not routine start and stop messages (LOG) nor the errors FerretDB
 * receives and answers itself (ERROR: a duplicate key is part of normal use), nor the
 * disconnection of FerretDB's idle connections at a stop.
 */
const worthShowing = (line: string) => /\b(WARNING|FATAL|PANIC):/.test(line) && !line.includes('terminating connection due to administrator command');

/** Runs a client program of `binDir`; rejects with its output when it fails. */
function runClient(binDir: string, program: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(join(binDir, program), args, { encoding: 'utf8', maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${program} failed: ${(stderr || stdout || error.message).trim()}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Resolves once the server accepts connections (it listens before it has finished starting). */
async function waitUntilReady(binDir: string, child: ChildProcess, port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited early (${child.signalCode ?? child.exitCode})`);
    const ok = spawnSync(join(binDir, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres']).status === 0;
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGINT (fast shutdown: clients are disconnected, everything is written); the whole process group gets SIGKILL after `timeoutMs`. */
function stopPostgres(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const signal = (s: NodeJS.Signals, group: boolean) => {
    try {
      if (group && child.pid) process.kill(-child.pid, s);
      else child.kill(s);
    } catch {
      // Already gone.
    }
  };
  return new Promise((resolve) => {
    const timer = setTimeout(() => signal('SIGKILL', true), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signal('SIGINT', false);
  });
}

/**
 * Starts a private PostgreSQL for FerretDB on a free loopback port. The cluster lives in
 * `<dataDir>/cluster` (created by `initdb` on first use: trust authentication for local
 * connections, UTF8, C locale, as FerretDB requires), its unix socket there too. `throwaway`:
 * the data is deleted after this run (tests, benchmarks), so nothing is flushed to disk (see
 * THROWAWAY_SETTINGS); without it the cluster survives restarts and machine crashes.
 * Creates the `ferretdb` database and installs GIN_COMPANIONS_SQL in it (unless `indexCompanions` is false).
 *
 * Throws PostgresUnavailableError, having started nothing, when it cannot run here.
 */
export async function startPostgres({
  dataDir,
  throwaway = false,
  indexCompanions = true,
  port,
  onOutput,
}: {
  dataDir: string;
  throwaway?: boolean;
  /** False: no GIN companions (FerretDB's own indexes only), for comparisons (test/bench/db-probe.ts). */
  indexCompanions?: boolean;
  port?: number;
  onOutput?: (line: string) => void;
}): Promise<PostgresService> {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new PostgresUnavailableError('no PostgreSQL server binaries (initdb, postgres) on this machine: apt install postgresql');
  const user = serverUser();
  const clusterDir = join(dataDir, 'cluster');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (user) {
    chownSync(clusterDir, user.uid, user.gid);
    // The server user must reach the cluster through every parent directory.
    if (spawnSync('test', ['-w', clusterDir], { uid: user.uid, gid: user.gid }).status !== 0) {
      throw new PostgresUnavailableError(`the postgres user cannot reach ${clusterDir} (a parent directory is closed to other users)`);
    }
  }
  const as = user ? { uid: user.uid, gid: user.gid } : {};

  const binVersion = /(\d+)(?:\.\d+)?/.exec(spawnSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? '?';
  const versionFile = join(clusterDir, 'PG_VERSION');
  if (!existsSync(versionFile)) {
    const init = spawnSync(
      join(binDir, 'initdb'),
      ['-D', clusterDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', ...(throwaway ? ['--no-sync'] : [])],
      { encoding: 'utf8', ...as },
    );
    if (init.status !== 0) throw new Error(`initdb failed: ${(init.stderr || init.stdout || String(init.error)).trim()}`);
  } else {
    const clusterVersion = readFileSync(versionFile, 'utf8').trim();
    if (clusterVersion !== binVersion) {
      throw new Error(
        `the cluster in ${clusterDir} is PostgreSQL ${clusterVersion}, this machine has ${binVersion}: delete the directory, or FERRETDB_BACKEND=sqlite`,
      );
    }
  }

  const listenPort = port ?? (await freePort());
  // A unix socket path is limited to ~107 bytes; beyond that, TCP only (all that is used here).
  const socketDir = `${clusterDir}/.s.PGSQL.${listenPort}`.length <= 100 ? clusterDir : '';
  const settings = ['listen_addresses=127.0.0.1', `unix_socket_directories=${socketDir}`, ...FAST_SETTINGS, ...(throwaway ? THROWAWAY_SETTINGS : [])];
  // Its own process group: a terminal's Ctrl-C does not reach it before FerretDB has stopped
  // (the owner stops it last), and SIGKILL at exit (killOnExit) reaches its backends too.
  const child = spawn(join(binDir, 'postgres'), ['-D', clusterDir, '-p', String(listenPort), ...settings.flatMap((s) => ['-c', s])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...as,
  });
  killOnExit(child, { group: true });
  pipeLines(child, (line) => {
    if (worthShowing(line)) onOutput?.(line);
  });
  const stop = () => stopPostgres(child);
  try {
    await waitUntilListening(child, listenPort, 'postgres');
    await waitUntilReady(binDir, child, listenPort);
    const psql = (db: string, args: string[], input?: string) =>
      runClient(binDir, 'psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(listenPort), '-U', 'postgres', '-d', db, ...args], input);
    const exists = await psql('postgres', ['-tA', '-c', `SELECT 1 FROM pg_database WHERE datname = '${FERRETDB_PG_DATABASE}'`]);
    if (exists.trim() !== '1') await psql('postgres', ['-c', `CREATE DATABASE ${FERRETDB_PG_DATABASE}`]);
    await psql(FERRETDB_PG_DATABASE, ['-o', '/dev/null'], indexCompanions ? GIN_COMPANIONS_SQL : NO_GIN_COMPANIONS_SQL);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name: 'postgres',
    port: listenPort,
    url: `postgres://postgres@127.0.0.1:${listenPort}/${FERRETDB_PG_DATABASE}`,
    version: binVersion,
    child,
    stop,
  };
}
