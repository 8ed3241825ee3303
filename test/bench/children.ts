/**
 * Child processes of the benchmarks (the side-by-side HTTP one, the chat fan-out, the
 * notifications dispatch): forked entries (devkit's `forkNode`) that announce their port over IPC
 * (`{ type: 'listening', port }`, platform's `announceListening`; devkit's `announcedPort`) and
 * answer requests by id. Their per-process readings (/proc): devkit's `rssMb` and `cpuSeconds`.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, announcedPort, forkNode, stopChild } from '@stagelives/devkit';
import { commandFor, ensureProductionBuild } from '../production/support.js';

/**
 * How the benchmarks run our own processes (router, subgraphs, workers): `dist` (default) is
 * what the image runs — the production build (`npm run build`, made first when a source is
 * newer) under node's flags of the Dockerfile's CMD; `tsx` runs the TypeScript sources (no
 * build; tsx's loader and its source maps add memory and start-up time to every process).
 */
export const BENCH_RUNTIME: 'dist' | 'tsx' = process.env.BENCH_RUNTIME === 'tsx' ? 'tsx' : 'dist';

/**
 * The entry and node flags of one of our processes (`router`, `workers`, `subgraphs/<name>`)
 * under `BENCH_RUNTIME`, for `forkEntry`.
 */
export function serviceEntry(pkg: string): { entry: string; execArgv: string[] } {
  if (BENCH_RUNTIME === 'tsx') return { entry: `${pkg}/src/index.ts`, execArgv: [] };
  prepareBenchRuntime();
  const [, ...flags] = commandFor(`${pkg}/dist/index.js`);
  return { entry: flags.pop()!, execArgv: flags };
}

let built = false;
/** Under `dist`, `npm run build` when a source is newer than the last build: once per run, before anything is measured. */
export function prepareBenchRuntime(): void {
  if (BENCH_RUNTIME !== 'dist' || built) return;
  ensureProductionBuild();
  built = true;
}

export interface Child {
  name: string;
  process: ChildProcess;
  /** Sends a message and waits for the reply that carries its id (`{ reply: id, ... }`). */
  request<T>(message: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Forks `entry` (relative to the project root; devkit's `forkNode`): a `.ts` file under tsx;
 * `execArgv` is added to node's flags (e.g. `--cpu-prof`, or `serviceEntry`'s). Output lines go
 * to `onLine` (by default the first 20 are printed, prefixed with the child's name).
 */
export function forkEntry(
  name: string,
  entry: string,
  env: Record<string, string | undefined>,
  onLine?: (line: string) => void,
  execArgv: string[] = [],
): Child {
  let shown = 0;
  const child = forkNode(entry, {
    env,
    execArgv,
    onLine:
      onLine ??
      ((line) => {
        if (shown >= 20) return;
        shown += 1;
        process.stderr.write(`[${name}] ${line.slice(0, 400)}\n`);
      }),
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  child.on('message', (msg: { reply?: number; error?: string }) => {
    if (typeof msg?.reply !== 'number') return;
    const w = waiting.get(msg.reply);
    waiting.delete(msg.reply);
    if (msg.error) w?.reject(new Error(msg.error));
    else w?.resolve(msg);
  });
  child.once('exit', (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`${name} exited (${signal ?? code})`));
    waiting.clear();
  });
  return {
    name,
    process: child,
    request: (message) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        child.send({ ...message, id });
      }),
    stop: () => stopChild(child, 20_000),
  };
}

/** The port a child announces (devkit's `announcedPort`), with a benchmark's patience. */
export const waitListening = (child: Child, timeoutMs = 90_000): Promise<number> => announcedPort(child.process, child.name, { timeoutMs });

/** The pids of every process whose command line mentions `needle` (e.g. this run's FerretDB by its listen address). */
export function pidsMatching(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(needle)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/**
 * Node flags of our router as deployed: the router Deployment's `NODE_OPTIONS`
 * (deploy/base/router.yaml, the V8 heap cap), unless `BENCH_ROUTER_NODE_FLAGS` (space-separated;
 * empty: none) says otherwise.
 */
export function routerNodeFlags(): string[] {
  const given = process.env.BENCH_ROUTER_NODE_FLAGS;
  if (given !== undefined) return given.split(' ').filter(Boolean);
  const manifest = readFileSync(join(ROOT, 'deploy/base/router.yaml'), 'utf8');
  const value = /- name: NODE_OPTIONS\s+value: "([^"]*)"/.exec(manifest)?.[1];
  if (value === undefined) throw new Error('deploy/base/router.yaml sets no NODE_OPTIONS for the router');
  return value.split(' ').filter(Boolean);
}

/** Forks one of our processes (`router`, `subgraphs/<name>`) as `BENCH_RUNTIME` says. */
export function forkPackage(
  name: string,
  pkg: string,
  env: Record<string, string | undefined>,
  onLine?: (line: string) => void,
  execArgv: string[] = [],
): Child {
  const service = serviceEntry(pkg);
  const extra = pkg === 'router' ? routerNodeFlags() : [];
  return forkEntry(name, service.entry, env, onLine, [...service.execArgv, ...extra, ...execArgv]);
}
