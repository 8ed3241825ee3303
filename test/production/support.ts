/**
 * Helpers of the production checks: the Dockerfile read as data (so the tests start exactly what
 * the image would), the production build made when missing or stale, and a process started from
 * it with an environment of our choosing only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, killOnExit, pipeLines } from '@stagelives/devkit';

export interface Stage {
  name: string;
  /** Instructions in order: keyword (upper case) and the rest of the line (continuations joined). */
  instructions: Array<{ keyword: string; args: string }>;
}

/** The Dockerfile's stages (comments, parser directives and continuations handled). */
function dockerfileStages(path = join(ROOT, 'Dockerfile')): Stage[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const logical: string[] = [];
  let current = '';
  for (const line of lines) {
    if (!current && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (line.trimStart().startsWith('#')) continue;
    if (line.endsWith('\\')) current += `${line.slice(0, -1)} `;
    else {
      logical.push((current + line).trim());
      current = '';
    }
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') stages.push({ name: /\sAS\s+(\S+)/i.exec(args)?.[1] ?? String(stages.length), instructions: [] });
    stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

export function runtimeStage(): Stage {
  const stage = dockerfileStages().at(-1);
  if (!stage) throw new Error('the Dockerfile has no stage');
  return stage;
}

/** ENV of a stage (`ENV A=1 B=2` form). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    for (const [, key, value] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) env[key!] = value!.replace(/^"|"$/g, '');
  }
  return env;
}

/** The exec-form CMD of the runtime stage, e.g. ["node", "--conditions=…", "router/dist/index.js"]. */
export function runtimeCommand(): string[] {
  const cmd = runtimeStage()
    .instructions.filter((i) => i.keyword === 'CMD')
    .at(-1);
  if (!cmd) throw new Error('the runtime stage has no CMD');
  return JSON.parse(cmd.args) as string[];
}

/** The HEALTHCHECK's exec-form command. */
export function healthcheckCommand(): string[] {
  const hc = runtimeStage().instructions.find((i) => i.keyword === 'HEALTHCHECK');
  const json = hc && /CMD\s+(\[.*\])\s*$/.exec(hc.args)?.[1];
  if (!json) throw new Error('the runtime stage has no exec-form HEALTHCHECK');
  return JSON.parse(json) as string[];
}

/** The image's command for another process: the CMD's node and flags, that process's entry. */
export const commandFor = (entry: string) => [...runtimeCommand().slice(0, -1), entry];

/** The packages the build emits (scripts/build.mjs). */
const BUILT = ['platform', 'schema', 'router', 'workers', ...readdirSync(join(ROOT, 'subgraphs')).map((d) => `subgraphs/${d}`)];

function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const pkg of BUILT) if (existsSync(join(ROOT, pkg, 'src'))) walk(join(ROOT, pkg, 'src'));
  for (const file of ['tsconfig.base.json', 'tsconfig.build.json', 'scripts/build.mjs', 'schema/supergraph.graphql'])
    newest = Math.max(newest, statSync(join(ROOT, file)).mtimeMs);
  return newest;
}

/** `npm run build` unless the last one (CI runs it before the tests) is newer than every source. */
export function ensureProductionBuild(): void {
  const stamp = join(ROOT, '.build/stamp');
  if (existsSync(stamp) && existsSync(join(ROOT, 'router/dist/index.js')) && statSync(stamp).mtimeMs >= newestSource()) return;
  const result = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
}

export interface Started {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `command` in `cwd` with exactly `env` (nothing inherited but PATH and HOME): no IPC
 * channel, no tsx, as a container would. In a process group of its own, killed whole if the
 * test process ends first (the command may start processes of its own).
 */
export function startCommand(command: string[], env: Record<string, string>, cwd = ROOT): Started {
  const [bin, ...args] = command;
  const child = spawn(bin!, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  killOnExit(child, { group: true });
  const output: string[] = [];
  pipeLines(child, (line) => output.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `url` until it answers `status` (default 200); fails with the process's output. */
export async function waitForStatus(url: string, started: Started, { status = 200, timeoutMs = 60_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null)
      throw new Error(`exited with ${started.child.exitCode} before ${url} answered ${status}:\n${started.output.join('\n')}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      last = `${res.status} ${await res.text()}`;
      if (res.status === status) return;
    } catch (error) {
      last = String((error as { cause?: unknown }).cause ?? error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer ${status} (last: ${last}):\n${started.output.join('\n')}`);
}
