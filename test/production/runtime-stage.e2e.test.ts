/**
 * The Dockerfile's runtime stage, replayed without Docker: its instructions are carried out in a
 * scratch directory standing for /app — COPY from the build context (this repository), COPY
 * --from=build (this repository after `npm run build`, which is what the build stage runs), RUN
 * (`npm ci --omit=dev -w …` as written; `npm cache clean` alone is skipped, it would empty this
 * machine's npm cache) — then the router and a subgraph start there with the stage's CMD and ENV.
 * So a runtime import of a dev dependency, a file the image does not copy, or a broken workspace
 * filter fails here, not on a cluster.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { ROOT, freePort, openScratch, unsentMailEnv } from '@stagelives/devkit';
import { SUBGRAPH_NAMES } from '@stagelives/schema';
import { commandFor, ensureProductionBuild, runtimeCommand, runtimeStage, stageEnv, startCommand, waitForStatus, type Started } from './support.js';

let app: string;
const started: Started[] = [];

/** `COPY [--from=build] <src>... <dest>` into `app` (sources from the repository either way). */
function copy(args: string): void {
  const parts = args.split(/\s+/).filter((p) => !p.startsWith('--chown') && !p.startsWith('--chmod'));
  const fromBuild = parts[0] === '--from=build';
  const paths = fromBuild ? parts.slice(1) : parts;
  const dest = paths.pop()!;
  for (const src of paths) {
    const from = join(ROOT, fromBuild ? src.replace(/^\/app\//, '') : src);
    if (!existsSync(from)) throw new Error(`COPY ${args}: ${from} does not exist`);
    const to = dest.endsWith('/') && !statSync(from).isDirectory() ? join(app, dest, src.split('/').at(-1)!) : join(app, dest);
    cpSync(from, to, { recursive: true });
  }
}

describe('Dockerfile runtime stage, replayed without Docker', () => {
  beforeAll(() => {
    ensureProductionBuild();
    app = mkdtempSync(join(tmpdir(), 'stagelives-image-'));
    for (const { keyword, args } of runtimeStage().instructions) {
      if (keyword === 'COPY') copy(args);
      else if (keyword === 'RUN') {
        const command = args.replace(/&&\s*npm cache clean --force/, '');
        const result = spawnSync('sh', ['-c', command], { cwd: app, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 1 << 24 });
        if (result.status !== 0) throw new Error(`RUN ${command} failed:\n${result.stdout}\n${result.stderr}`);
      }
    }
  }, 600_000);

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('should hold production dependencies only', () => {
    for (const dev of ['tsx', 'typescript', 'vitest', 'turbo', 'esbuild', 'playwright-core', '@stagelives/test']) {
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    }
    // No source, no test: the build only (npm links the devkit workspace, but it is a bare package.json).
    for (const path of ['router/src', 'platform/src', 'subgraphs/users/src', 'tools/devkit/src', 'test/support'])
      expect(existsSync(join(app, path)), path).toBe(false);
  });

  it("should start the router and a subgraph with the stage's CMD and ENV, and serve a request through both", async () => {
    const [usersPort, routerPort, closedPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const scratch = await openScratch({ mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl') });
    onTestFinished(() => scratch.close());
    const env = {
      ...stageEnv(runtimeStage()),
      ...scratch.env,
      IDENTITY_SECRET: randomBytes(32).toString('hex'),
      ...unsentMailEnv(),
      SHUTDOWN_DELAY_MS: '0',
    };
    const users = startCommand(commandFor('subgraphs/users/dist/index.js'), { ...env, SUBGRAPH_PORT: String(usersPort), SUBGRAPH_HOST: '127.0.0.1' }, app);
    started.push(users);
    const subgraphUrls = SUBGRAPH_NAMES.map((n) => `${n}=http://127.0.0.1:${n === 'users' ? usersPort : closedPort}/graphql`).join(',');
    const router = startCommand(runtimeCommand(), { ...env, PORT: String(routerPort), HOST: '127.0.0.1', SUBGRAPH_URLS: subgraphUrls }, app);
    started.push(router);
    await waitForStatus(`http://127.0.0.1:${usersPort}/health/ready`, users);
    await waitForStatus(`http://127.0.0.1:${routerPort}/health/live`, router);
    const res = await fetch(`http://127.0.0.1:${routerPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(await res.json()).toEqual({ data: { me: null } });
    for (const s of [router, users]) expect(await s.stop()).toEqual({ code: 0, signal: null });
  }, 120_000);
});
