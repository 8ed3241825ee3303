// Builds the schema explorer's static assets (GraphiQL from the local npm packages) with esbuild:
// one script and one stylesheet in router/.explorer/ (gitignored), plus manifest.json naming them.
// Plain Node (scripts/ensure.mjs imports it before anything TypeScript runs); rebuilds only when
// an input changed: the entry files, this script, or the version of a bundled package.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const routerDir = fileURLToPath(new URL('../../', import.meta.url));
const rootDir = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the assets are written and served from. */
export const explorerAssetsDir = join(routerDir, '.explorer');

const entry = join(here, 'client/main.js');
const sources = [entry, join(here, 'client/explorer.css'), fileURLToPath(import.meta.url)];
/** Packages whose code ends up in the bundle (or builds it). */
const packages = [
  'graphiql',
  '@graphiql/react',
  '@graphiql/toolkit',
  'react',
  'react-dom',
  'graphql',
  'graphql-ws',
  'codemirror',
  'codemirror-graphql',
  'esbuild',
];

function packageVersion(name) {
  for (const dir of [join(routerDir, 'node_modules'), join(rootDir, 'node_modules')]) {
    const file = join(dir, name, 'package.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version;
  }
  return 'missing';
}

function inputsStamp() {
  const hash = createHash('sha256');
  for (const file of sources) hash.update(file).update(readFileSync(file));
  for (const name of packages) hash.update(`${name}@${packageVersion(name)}\n`);
  return hash.digest('hex').slice(0, 16);
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(join(explorerAssetsDir, 'manifest.json'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Makes sure router/.explorer holds assets built from the current inputs; returns the manifest
 * (`{ stamp, js, css }`, file names relative to the folder). Milliseconds when up to date.
 */
export async function ensureExplorerAssets({ log = () => {}, force = false } = {}) {
  const stamp = inputsStamp();
  const current = readManifest();
  if (!force && current?.stamp === stamp && existsSync(join(explorerAssetsDir, current.js)) && existsSync(join(explorerAssetsDir, current.css))) return current;

  log('building the schema explorer (GraphiQL) assets…');
  const { build } = await import('esbuild');
  mkdirSync(explorerAssetsDir, { recursive: true });
  const result = await build({
    entryPoints: { explorer: entry },
    bundle: true,
    outdir: explorerAssetsDir,
    entryNames: '[name]-[hash]',
    format: 'iife',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'eof',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`the explorer build made ${outputs.join(', ')}: expected one .js and one .css`);
  const manifest = { stamp, js, css };
  // Written whole, then renamed: a router reading it never sees half a file.
  const tmp = join(explorerAssetsDir, `.manifest-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(tmp, join(explorerAssetsDir, 'manifest.json'));
  for (const file of readdirSync(explorerAssetsDir)) {
    if (file !== 'manifest.json' && file !== js && file !== css && !file.startsWith('.manifest-')) rmSync(join(explorerAssetsDir, file), { force: true });
  }
  log(`schema explorer assets ready (${js}, ${css})`);
  return manifest;
}
