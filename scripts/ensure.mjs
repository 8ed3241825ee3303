#!/usr/bin/env node
// Installs what a fresh clone lacks before `npm run dev` / `npm test`: npm dependencies, the
// pinned FerretDB, Mailpit and Jaeger builds and the schema explorer's assets. Plain Node with no dependencies, since
// it runs before `npm ci` (the explorer's build imports esbuild only after it).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ferretOnly = process.argv.includes('--ferretdb-only');
const log = (msg) => console.error(`[ensure] ${msg}`);

// npm runs on this Node, not on whichever `node` comes first on the PATH (e.g. the machine's Node 20
// while this runs on .cache/node24's Node 24): this Node's folder goes first unless already listed.
const PATH = process.env.PATH ?? '';
const nodeDir = dirname(process.execPath);
const npmEnv = { ...process.env, PATH: PATH.split(delimiter).includes(nodeDir) ? PATH : `${nodeDir}${delimiter}${PATH}` };

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw new Error(`${cmd} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}`);
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules/.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund'], { env: npmEnv });
}

/**
 * A development tool written in Go (FerretDB, Mailpit, Jaeger), built once from the Go module
 * proxy at the version pinned in `tools/<dir>/go.mod` into `tools/<dir>/bin/`, and again only when
 * go.mod or go.sum change. `label` names it in the log; `module` is the pinned module (its version is read from go.mod); `build`
 * runs the `go` commands with GOBIN set.
 */
function ensureGoTool({ dir: name, bin: binName, label, module, what, duration, build }) {
  const dir = join(root, 'tools', name);
  const bin = join(dir, 'bin', binName);
  const stampFile = join(dir, 'bin/.stamp');
  const goMod = readFileSync(join(dir, 'go.mod'), 'utf8');
  const stamp = createHash('sha256')
    .update(goMod)
    .update(readFileSync(join(dir, 'go.sum')))
    .digest('hex');
  if (existsSync(bin) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  if (!has('go')) throw new Error(`Go is required to build ${what}. Install Go.`);
  log(`building ${label} from the Go module proxy (once; ${duration})…`);
  const version = new RegExp(`${module.replace(/[.]/g, '\\.')} (v[\\w.-]+)`).exec(goMod)?.[1] ?? 'v0.0.0';
  build({ dir, version, env: { ...process.env, GOBIN: join(dir, 'bin'), CGO_ENABLED: '0' } });
  writeFileSync(stampFile, stamp);
  log(`${label} ${version} ready`);
}

/** FerretDB, the development database (MongoDB wire protocol). */
function ensureFerretDB() {
  ensureGoTool({
    dir: 'ferretdb',
    bin: 'ferretdb',
    label: 'FerretDB',
    module: 'github.com/FerretDB/FerretDB',
    what: 'FerretDB (the development database), or set MONGODB_URI',
    duration: 'about a minute',
    build: ({ dir, version, env }) => {
      try {
        // FerretDB's release version lives in a generated file absent from the module zip;
        // vendoring lets us supply it, so the binary reports its real version instead of panicking.
        run('go', ['mod', 'vendor'], { cwd: dir, env: { ...process.env, GOFLAGS: '' } });
        writeFileSync(join(dir, 'vendor/github.com/FerretDB/FerretDB/build/version/version.txt'), `${version}\n`);
        run('go', ['install', 'github.com/FerretDB/FerretDB/cmd/ferretdb'], { cwd: dir, env: { ...env, GOFLAGS: '-mod=vendor' } });
      } finally {
        rmSync(join(dir, 'vendor'), { recursive: true, force: true });
      }
    },
  });
}

/** Mailpit: the local SMTP server with a web UI and an HTTP API that `npm run dev` and the tests send mail to. */
function ensureMailpit() {
  ensureGoTool({
    dir: 'mailpit',
    bin: 'mailpit',
    label: 'Mailpit',
    module: 'github.com/axllent/mailpit',
    what: 'Mailpit (the development mail server)',
    duration: 'under a minute',
    build: ({ dir, version, env }) =>
      run('go', ['install', `-ldflags=-s -w -X github.com/axllent/mailpit/config.Version=${version}`, 'github.com/axllent/mailpit'], { cwd: dir, env }),
  });
}

/** Jaeger: the local trace store `npm run dev` and the tracing tests export to (OTLP/HTTP in, a query API out). */
function ensureJaeger() {
  ensureGoTool({
    dir: 'jaeger',
    bin: 'jaeger',
    label: 'Jaeger',
    module: 'github.com/jaegertracing/jaeger',
    what: 'Jaeger (the development trace store)',
    duration: 'a few minutes',
    build: ({ dir, env }) => run('go', ['install', '-ldflags=-s -w', 'github.com/jaegertracing/jaeger/cmd/jaeger'], { cwd: dir, env }),
  });
}

/** The schema explorer's GraphiQL assets (router/.explorer/), rebuilt only when an input changed. */
async function ensureExplorer() {
  const { ensureExplorerAssets } = await import('../router/src/explorer/build.mjs');
  await ensureExplorerAssets({ log });
}

/** The engines floor (package.json): vitest 5, firebase-admin 14 and others need Node 22; CI and the image run 24. */
function ensureNodeVersion() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 15)) return;
  throw new Error(
    `Node ${process.versions.node} is too old: Node 24 (or 22 >= 22.15) is required. Without a system install: scripts/node24.sh npm run dev (or npm test), which fetches Node 24 from the npm registry into .cache/node24/.`,
  );
}

try {
  if (!ferretOnly) ensureNodeVersion();
  if (!ferretOnly) ensureNodeModules();
  if (!ferretOnly) await ensureExplorer();
  if (!process.env.MONGODB_URI || ferretOnly) ensureFerretDB();
  if (!ferretOnly) ensureMailpit();
  if (!ferretOnly) ensureJaeger();
  if (!ferretOnly && !process.env.REDIS_URL && !has('redis-server')) {
    throw new Error('redis-server is required (apt install redis-server), or set REDIS_URL.');
  }
} catch (error) {
  log(error.message);
  process.exit(1);
}
