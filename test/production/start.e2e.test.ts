/**
 * The image's runtime command, without Docker: after `npm run build`, the router, a subgraph and
 * the workers are started exactly as the Dockerfile's runtime stage would start them (its CMD's
 * node and flags, its ENV, NODE_ENV=production, configuration only from the environment), answer
 * their health endpoints (through the image's own HEALTHCHECK command too), serve a request end to
 * end, and stop on SIGTERM. Plain node over dist/: an import that reached a .ts file would fail.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT, freePort, openScratch, startLocalFcmServer, unsentMailEnv, type LocalFcmServer, type Scratch } from '@stagelives/devkit';
import { SUBGRAPH_NAMES } from '@stagelives/schema';
import { localFcmEnv } from '../../workers/src/push/push.config.js';
import {
  commandFor,
  ensureProductionBuild,
  healthcheckCommand,
  runtimeCommand,
  runtimeStage,
  stageEnv,
  startCommand,
  waitForStatus,
  type Started,
} from './support.js';

let scratch: Scratch<'mongo' | 'redis'>;
let fcm: LocalFcmServer;
let imageEnv: Record<string, string>;
const started: Started[] = [];

/** What an operator would give the containers: the image's ENV, then the deployment's variables. */
function deploymentEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...imageEnv,
    ...scratch.env,
    IDENTITY_SECRET: randomBytes(32).toString('hex'),
    ...unsentMailEnv(),
    SHUTDOWN_DELAY_MS: '0',
    ...extra,
  };
}

function run(command: string[], env: Record<string, string>): Started {
  const s = startCommand(command, env);
  started.push(s);
  return s;
}

/** The image's HEALTHCHECK command against a process: its exit code. */
const healthcheck = (port: number) =>
  spawnSync(healthcheckCommand()[0]!, healthcheckCommand().slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HEALTHCHECK_PORT: String(port) },
    encoding: 'utf8',
  }).status;

describe('production build: the runtime image command starts with plain node', () => {
  beforeAll(async () => {
    ensureProductionBuild();
    imageEnv = stageEnv(runtimeStage());
    fcm = await startLocalFcmServer();
    scratch = await openScratch({ mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl') });
  }, 300_000);

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await fcm?.close();
    await scratch?.close();
  });

  it('should run node over dist with the image in production mode', () => {
    const cmd = runtimeCommand();
    expect(cmd[0]).toBe('node');
    expect(cmd).toContain('--conditions=stagelives-dist');
    expect(cmd.at(-1)).toBe('router/dist/index.js');
    expect(cmd.join(' ')).not.toMatch(/tsx|\.ts\b/);
    expect(imageEnv.NODE_ENV).toBe('production');
  });

  it('should resolve our packages to dist/ under the stagelives-dist condition only (tsx, vitest and tsc keep src/)', () => {
    const resolve = (conditions: string[], specifier: string) =>
      spawnSync(process.execPath, [...conditions, '--input-type=module', '-e', `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`], {
        cwd: ROOT,
        encoding: 'utf8',
      }).stdout.trim();
    const packages = ['platform', 'schema', 'router', 'workers', ...SUBGRAPH_NAMES.map((n) => `subgraphs/${n}`)];
    for (const pkg of packages) {
      const { name, exports } = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')) as {
        name: string;
        exports: Record<string, { 'stagelives-dist': string; default: string }>;
      };
      for (const [path, target] of Object.entries(exports)) {
        const specifier = path === '.' ? name : `${name}/${path.slice(2)}`;
        expect(resolve([], specifier), specifier).toBe(pathToFileURL(join(ROOT, pkg, target.default)).href);
        expect(target.default, specifier).toMatch(/^\.\/src\/.*\.ts$/);
        const dist = resolve(['--conditions=stagelives-dist'], specifier);
        expect(dist, specifier).toBe(pathToFileURL(join(ROOT, pkg, target['stagelives-dist'])).href);
        expect(existsSync(fileURLToPath(dist)), dist).toBe(true);
      }
    }
  });

  it('should stop at once, naming the variable, when configuration is missing', async () => {
    const env = deploymentEnv();
    delete env.IDENTITY_SECRET;
    const router = run(runtimeCommand(), env);
    expect((await router.exited).code).toBe(1);
    expect(router.output.join('\n')).toContain('IDENTITY_SECRET is required but not set');
  });

  it('should start a subgraph, the workers and the router from the build, serve through them, and stop on SIGTERM', async () => {
    const [usersPort, workersPort, routerPort, closedPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const secret = randomBytes(32).toString('hex');
    const users = run(
      commandFor('subgraphs/users/dist/index.js'),
      deploymentEnv({ IDENTITY_SECRET: secret, SUBGRAPH_PORT: String(usersPort), SUBGRAPH_HOST: '127.0.0.1' }),
    );
    const workers = run(
      commandFor('workers/dist/index.js'),
      deploymentEnv({ IDENTITY_SECRET: secret, WORKERS_PORT: String(workersPort), WORKERS_HOST: '127.0.0.1', ...localFcmEnv(fcm.info) }),
    );
    // Only users runs: the other subgraphs point at a closed local port (never a real host).
    const subgraphUrls = SUBGRAPH_NAMES.map((n) => `${n}=http://127.0.0.1:${n === 'users' ? usersPort : closedPort}/graphql`).join(',');
    const router = run(runtimeCommand(), deploymentEnv({ IDENTITY_SECRET: secret, PORT: String(routerPort), HOST: '127.0.0.1', SUBGRAPH_URLS: subgraphUrls }));

    await waitForStatus(`http://127.0.0.1:${usersPort}/health/ready`, users);
    await waitForStatus(`http://127.0.0.1:${workersPort}/health/ready`, workers);
    await waitForStatus(`http://127.0.0.1:${routerPort}/health/live`, router);
    for (const port of [usersPort, workersPort, routerPort]) expect(healthcheck(port)).toBe(0);

    // End to end through the router from dist to the users subgraph from dist.
    const post = (query: string) =>
      fetch(`http://127.0.0.1:${routerPort}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ message: string }> } }));
    const signUp = await post(
      `mutation { signUp(input: {email: "${scratch.prefix}@example.com", password: "correct horse battery", nickname: "prod"}) { sessionToken user { id } } }`,
    );
    expect(signUp.body.errors).toBeUndefined();
    expect(signUp.body.data.signUp.sessionToken).toMatch(/\S{20,}/);
    // NODE_ENV=production: introspection is off.
    const introspection = await post('{ __schema { queryType { name } } }');
    expect(introspection.body.data?.__schema).toBeUndefined();
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);

    for (const [name, s] of Object.entries({ router, workers, users }))
      expect({ name, ...(await s.stop()) }, s.output.slice(-5).join('\n')).toEqual({ name, code: 0, signal: null });
    // The HEALTHCHECK fails once the process is gone.
    expect(healthcheck(routerPort)).toBe(1);
  }, 120_000);
});
