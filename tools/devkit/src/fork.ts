/**
 * Our processes (router, subgraphs, workers, the benchmarks' helpers) tell whoever forked them
 * that they are ready over IPC, once their port is bound: `process.send({ type: 'listening', name,
 * port })` (`announceListening` in platform/src/listen.ts). This is the other end: fork one
 * (`forkNode`), wait for that message (`announcedPort`), or both (`forkService`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { ROOT, killOnExit, pipeLines, stopChild } from './services.js';

export interface ForkOptions {
  /** The child's whole environment. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Node's flags. A `.ts` entry runs under tsx (`--import tsx` comes first). */
  execArgv?: string[];
  /**
   * Each non-blank line the child writes, and to which stream. Without it the output is dropped;
   * either way its last lines go into the error when the child fails to start.
   */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** How many of a child's last output lines a start failure quotes. */
const TAIL_LINES = 20;
const tails = new WeakMap<ChildProcess, string[]>();

/**
 * Forks `entry` (relative to the project root, or absolute) with an IPC channel, from the project
 * root; the child is stopped when this process ends (`killOnExit`), its output goes to `onLine`.
 */
export function forkNode(entry: string, { env = process.env, execArgv = [], onLine }: ForkOptions = {}): ChildProcess {
  const child = killOnExit(
    fork(isAbsolute(entry) ? entry : join(ROOT, entry), [], {
      cwd: ROOT,
      env,
      execArgv: entry.endsWith('.ts') ? ['--import', 'tsx', ...execArgv] : execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  const tail: string[] = [];
  tails.set(child, tail);
  pipeLines(child, (line, stream) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    onLine?.(line, stream);
  });
  return child;
}

/**
 * Resolves with the port `child` announces (`{ type: 'listening', port }`). Rejects with an
 * error naming the process when it cannot be spawned, exits first (with its exit code or
 * signal), or announces nothing within `timeoutMs` (it is stopped then); the error quotes its last
 * output lines when `forkNode` started it.
 */
export function announcedPort(child: ChildProcess, name: string, { timeoutMs = 60_000 }: { timeoutMs?: number } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      cleanUp();
      const tail = tails.get(child) ?? [];
      reject(new Error(`${name} ${why}${tail.length ? `; its last output:\n${tail.join('\n')}` : ''}`));
    };
    const onMessage = (message: { type?: string; port?: unknown }) => {
      if (settled || message?.type !== 'listening' || typeof message.port !== 'number') return;
      settled = true;
      cleanUp();
      resolve(message.port);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      const why = `exited (${signal ?? `code ${code}`}) before listening`;
      // Its last words may still be in the pipes: wait for them ('close'), briefly.
      const late = setTimeout(() => fail(why), 500);
      child.once('close', () => {
        clearTimeout(late);
        fail(why);
      });
    };
    const onError = (error: Error) => fail(`could not be started: ${error.message}`);
    const timer = setTimeout(() => {
      cleanUp(); // its exit, on being stopped, is not the failure to report
      void stopChild(child, 2_000).then(() => fail(`announced no listening port within ${timeoutMs} ms (stopped)`));
    }, timeoutMs);
    const cleanUp = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.on('message', onMessage);
    child.once('error', onError);
    if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
    else child.once('exit', onExit);
  });
}

export interface ForkedService {
  child: ChildProcess;
  /** The port it announced. */
  port: number;
  /** Milliseconds from the fork to the announcement. */
  readyMs: number;
}

/** `forkNode`, then `announcedPort`: resolves once the child listens (see both for options and failures). */
export async function forkService(name: string, entry: string, options: ForkOptions & { timeoutMs?: number } = {}): Promise<ForkedService> {
  const began = performance.now();
  const child = forkNode(entry, options);
  const port = await announcedPort(child, name, options);
  return { child, port, readyMs: performance.now() - began };
}
