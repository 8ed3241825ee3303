import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from './free-port.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const FERRETDB_BIN = join(ROOT, 'tools/ferretdb/bin/ferretdb');

export interface ChildService {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the child has exited (at once when it already has). */
export function stopChild(child: ChildProcess, timeoutMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => signalChild(child, 'SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signalChild(child, 'SIGTERM');
  });
}

/** Children that must not outlive this process: a child, and whether it leads a process group of its own (spawned `detached`). */
const guarded = new Map<ChildProcess, boolean>();
const GUARD_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Signals the child, or its whole process group when it leads one (`killOnExit(child, { group: true })`). */
function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (guarded.get(child) && child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // Already gone.
  }
}

function killGuarded(): void {
  for (const child of guarded.keys()) signalChild(child, 'SIGKILL');
}

function onGuardSignal(signal: NodeJS.Signals): void {
  // Another listener owns shutdown on this signal (npm run dev stops its children gracefully):
  // leave it the children; the exit hook still takes whatever is left when the process ends.
  if (process.listenerCount(signal) > 1) return;
  killGuarded();
  for (const s of GUARD_SIGNALS) process.off(s, onGuardSignal);
  // Then die of the signal, as this process would have without a listener.
  process.kill(process.pid, signal);
}

/**
 * Makes sure `child` does not outlive this process: when this process exits, or is ended by
 * SIGTERM, SIGINT or SIGHUP that nothing else handles, every guarded child still running gets
 * SIGKILL (its whole process group with `group: true`, for a child spawned `detached` that
 * starts children of its own). A test abandoned at its timeout never reaches its `finally`, and
 * vitest ends its workers with SIGTERM (SIGKILL 500 ms later): this is what still stops the
 * redis-server, FerretDB or router it started. Nothing helps against SIGKILL of this process.
 * Every child devkit starts is guarded; returns `child`.
 */
export function killOnExit<C extends ChildProcess>(child: C, { group = false }: { group?: boolean } = {}): C {
  if (guarded.size === 0) {
    process.once('exit', killGuarded);
    for (const signal of GUARD_SIGNALS) if (!process.listeners(signal).includes(onGuardSignal)) process.on(signal, onGuardSignal);
  }
  guarded.set(child, group);
  child.once('exit', () => {
    guarded.delete(child);
    if (guarded.size === 0) {
      process.off('exit', killGuarded);
      for (const signal of GUARD_SIGNALS) process.off(signal, onGuardSignal);
    }
  });
  return child;
}

/**
 * SQLite settings FerretDB's SQLite backend opens every database with (beside its own
 * busy_timeout, WAL and auto_vacuum), as `_pragma` query parameters of `--sqlite-url`. None
 * changes what is durable:
 * - `temp_store(memory)`: statement journals (the undo of one statement inside FerretDB's
 *   insert transactions) stay in memory instead of temporary files: they were 14 % of FerretDB's
 *   CPU in `write` calls while the notification workers inserted;
 * - `wal_autocheckpoint(10000)`: checkpoint every ~40 MB of WAL instead of ~4 MB, so a page
 *   rewritten by many commits is copied back to the database file once;
 * - `cache_size(-32000)`: up to 32 MB of page cache per connection instead of 2 MB.
 * Measured: dispatch 2,873–3,251 pushes/s against 2,506–2,840 without (docs/ferretdb.md).
 * The environment variable `FERRETDB_SQLITE_QUERY` replaces the query (`?`: FerretDB's defaults only).
 */
export const FERRETDB_SQLITE_QUERY = '?_pragma=temp_store(memory)&_pragma=wal_autocheckpoint(10000)&_pragma=cache_size(-32000)';

/**
 * Starts FerretDB on its embedded SQLite backend with data under `dataDir`
 * (or on PostgreSQL when `postgresUrl` is given) on a free loopback port. Which backend the
 * development stack, the tests and the benchmarks use: `startDatabase` (database.ts).
 */
export async function startFerretDB({
  dataDir,
  postgresUrl,
  port,
  onOutput,
}: {
  dataDir: string;
  postgresUrl?: string;
  port?: number;
  onOutput?: (line: string) => void;
}): Promise<ChildService> {
  const listenPort = port ?? (await freePort());
  const stateDir = join(dataDir, 'state');
  const sqliteDir = join(dataDir, 'sqlite');
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(sqliteDir, { recursive: true });
  // FERRETDB_DEBUG_ADDR (e.g. 127.0.0.1:8089): FerretDB's debug port with Go pprof, for profiling
  // the database under a benchmark (`go tool pprof http://…/debug/pprof/profile`); off by default.
  const debugAddr = process.env.FERRETDB_DEBUG_ADDR ?? '-';
  const backend = postgresUrl
    ? ['--handler=pg', `--postgresql-url=${postgresUrl}`]
    : ['--handler=sqlite', `--sqlite-url=file:${sqliteDir}/${process.env.FERRETDB_SQLITE_QUERY || FERRETDB_SQLITE_QUERY}`];
  const child = spawn(
    FERRETDB_BIN,
    [...backend, `--listen-addr=127.0.0.1:${listenPort}`, `--state-dir=${stateDir}`, '--telemetry=disable', '--log-level=error', `--debug-addr=${debugAddr}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  killOnExit(child);
  pipeLines(child, onOutput);
  await waitUntilListening(child, listenPort, 'ferretdb');
  return { name: 'ferretdb', port: listenPort, url: `mongodb://127.0.0.1:${listenPort}/`, child, stop: () => stopChild(child) };
}

/** Starts a private redis-server on a free loopback port (append-only file under `dataDir` when given). */
export async function startRedis({
  dataDir,
  port,
  onOutput,
}: {
  dataDir?: string;
  port?: number;
  onOutput?: (line: string) => void;
} = {}): Promise<ChildService> {
  const listenPort = port ?? (await freePort());
  const persistence = dataDir ? ['--dir', dataDir, '--appendonly', 'yes', '--save', ''] : ['--save', '', '--appendonly', 'no'];
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = spawn('redis-server', ['--port', String(listenPort), '--bind', '127.0.0.1', ...persistence, '--loglevel', 'warning'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  pipeLines(child, onOutput);
  await waitUntilListening(child, listenPort, 'redis-server');
  return { name: 'redis', port: listenPort, url: `redis://127.0.0.1:${listenPort}`, child, stop: () => stopChild(child) };
}

/** Resolves once the child listens on `ports` (each of them); when it exits first or never listens, stops it and rejects. */
export async function waitUntilListening(child: ChildProcess, ports: number | readonly number[], name: string): Promise<void> {
  try {
    await Promise.race([Promise.all((typeof ports === 'number' ? [ports] : ports).map((port) => waitForPort(port))), exited(child, name)]);
  } catch (error) {
    await stopChild(child, 2_000);
    throw error;
  }
}

function exited(child: ChildProcess, name: string): Promise<never> {
  return new Promise((_, reject) => {
    child.once('error', (err) => reject(new Error(`${name} could not start: ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`${name} exited early with code ${code}`)));
  });
}

/** Calls `onOutput` with each non-blank line a child writes to stdout or stderr (and which of the two). */
export function pipeLines(child: ChildProcess, onOutput?: (line: string, stream: 'stdout' | 'stderr') => void) {
  for (const [name, stream] of [
    ['stdout', child.stdout],
    ['stderr', child.stderr],
  ] as const) {
    let buffer = '';
    const emit = (line: string) => {
      if (line.trim()) onOutput?.(line, name);
    };
    stream?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) emit(line);
    });
    // A last line without its newline (a crash's message, often).
    stream?.on('end', () => emit(buffer));
  }
}
