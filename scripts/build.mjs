#!/usr/bin/env node
// `npm run build`: the production build, JavaScript run by plain `node` (see docs/production.md).
//  1. tsc over every package a process runs (tsconfig.build.json: the type check's settings,
//     decorator metadata included), one program, emitted to .build/out (incremental);
//  2. each package's output copied to its dist/ (platform, schema, subgraphs/*, router, workers);
//     their package.json "exports" send the `stagelives-dist` condition there, so
//     `node --conditions=stagelives-dist router/dist/index.js` never touches a .ts file, while
//     tsx, vitest and tsc keep resolving to src/;
//  3. the router's explorer: its plain-JS build module beside the emitted explorer.js, and its
//     GraphiQL assets in router/.explorer/ (served in production only with EXPLORER=true);
//  4. the supergraph composed from the built subgraphs must equal schema/supergraph.graphql,
//     the file the production router serves.
// Plain Node, no dependencies of its own.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.build/out');
const log = (msg) => console.error(`[build] ${msg}`);

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The packages emitted: every workspace whose src/ a process runs. */
const packages = ['platform', 'schema', 'router', 'workers', ...readdirSync(join(root, 'subgraphs')).map((d) => `subgraphs/${d}`)].filter((p) =>
  existsSync(join(root, p, 'src')),
);

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

const started = Date.now();
log('tsc -p tsconfig.build.json');
run([join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);

let count = 0;
for (const pkg of packages) {
  const from = join(out, pkg, 'src');
  const dist = join(root, pkg, 'dist');
  rmSync(dist, { recursive: true, force: true });
  if (!existsSync(from)) continue;
  for (const file of files(from)) {
    const rel = relative(from, file);
    // Only outputs of sources that still exist (an incremental tsc leaves those of deleted files).
    if (!existsSync(join(root, pkg, 'src', rel.replace(/\.js$/, '.ts')))) continue;
    mkdirSync(dirname(join(dist, rel)), { recursive: true });
    copyFileSync(file, join(dist, rel));
    count += 1;
  }
}
log(`${count} files into ${packages.map((p) => `${p}/dist`).join(', ')}`);

// tsc emits no .mjs: explorer.js imports the assets' build module, which finds router/.explorer from its own place.
copyFileSync(join(root, 'router/src/explorer/build.mjs'), join(root, 'router/dist/explorer/build.mjs'));
const { ensureExplorerAssets } = await import('../router/src/explorer/build.mjs');
const explorer = await ensureExplorerAssets({ log });
log(`explorer assets in router/.explorer (${explorer.js}, ${explorer.css})`);

run(['--conditions=stagelives-dist', join(root, 'scripts/check-supergraph.mjs')]);
// When the build last completed (test/production/ rebuilds when a source is newer).
writeFileSync(join(root, '.build/stamp'), `${new Date().toISOString()}\n`);
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
