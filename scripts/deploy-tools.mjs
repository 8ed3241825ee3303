#!/usr/bin/env node
// The deployment checks' tools, pinned and built like FerretDB (scripts/ensure.mjs), and the checks:
//
//   node scripts/deploy-tools.mjs ensure   build what is missing or stale (cached, see below)
//   node scripts/deploy-tools.mjs check    ensure, then: lint the Dockerfile, `kustomize build` each
//                                          overlay of deploy/ and validate it with `kubeconform -strict`
//   (npm run deploy:check)
//
// - kustomize and kubeconform: Go tools pinned in tools/k8s/go.mod (+ go.sum), built from the Go
//   module proxy into tools/k8s/bin/ (with yaml2json, a few lines over sigs.k8s.io/yaml that turn
//   the rendered manifests into JSON for test/production/deploy.test.ts).
// - dockerfile-lint: tools/dockerfile-lint/main.go, BuildKit's own Dockerfile checks (the rules of
//   `docker build --check`), pinned in tools/dockerfile-lint/go.mod, built into its bin/.
// - The Kubernetes JSON schemas kubeconform validates against: there is no network beside the
//   package registries, so kubeconform's default download cannot work. They are derived from the
//   OpenAPI spec that ships in the Kubernetes module itself (k8s.io/kubernetes@KUBERNETES_VERSION,
//   api/openapi-spec/swagger.json, fetched with `go mod download` through the Go module proxy), the
//   way kubeconform's openapi2jsonschema.py does (standalone: references expanded; strict:
//   additionalProperties false; int-or-string), into tools/k8s/schemas/ in the layout of
//   kubernetes-json-schema, and kubeconform is pointed there with -schema-location.
// Each output carries a stamp of its inputs and is rebuilt only when they change. Plain Node.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Kubernetes release whose API schemas the manifests are validated against. */
export const KUBERNETES_VERSION = 'v1.34.4';

export const root = fileURLToPath(new URL('..', import.meta.url));
const k8sDir = join(root, 'tools/k8s');
const lintDir = join(root, 'tools/dockerfile-lint');
export const tools = {
  kustomize: join(k8sDir, 'bin/kustomize'),
  kubeconform: join(k8sDir, 'bin/kubeconform'),
  yaml2json: join(k8sDir, 'bin/yaml2json'),
  dockerfileLint: join(lintDir, 'bin/dockerfile-lint'),
  schemas: join(k8sDir, 'schemas'),
};
/** kubeconform's -schema-location for the derived schemas (its own template variables). */
export const schemaLocation = join(tools.schemas, `${KUBERNETES_VERSION}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`);
/** The overlays validated (deploy/overlays/*). */
export const overlays = () => readdirSync(join(root, 'deploy/overlays')).sort();

const log = (msg) => console.error(`[deploy-tools] ${msg}`);

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw new Error(`${cmd} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}`);
  return result;
}

const hashOf = (...parts) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};
const fresh = (stampFile, stamp, outputs) => outputs.every((o) => existsSync(o)) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;

function goEnv(extra = {}) {
  if (spawnSync('sh', ['-c', 'command -v go'], { stdio: 'ignore' }).status !== 0)
    throw new Error('Go is required to build the deployment tools (kustomize, kubeconform, dockerfile-lint).');
  return { ...process.env, CGO_ENABLED: '0', ...extra };
}

/** `go install` of a module's packages into its bin/, when go.mod/go.sum (or the sources) changed. */
function ensureGoModule(dir, packages, binaries, extraSources = []) {
  const stampFile = join(dir, 'bin/.stamp');
  const stamp = hashOf(...['go.mod', 'go.sum', ...extraSources].map((f) => readFileSync(join(dir, f))), packages.join(','));
  if (fresh(stampFile, stamp, binaries)) return;
  log(`building ${packages.join(', ')} (${dir.slice(root.length)}; Go module proxy, cached afterwards)…`);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  run('go', ['install', ...packages], { cwd: dir, env: goEnv({ GOBIN: join(dir, 'bin') }) });
  writeFileSync(stampFile, stamp);
}

// ---- schemas -------------------------------------------------------------------------------------

/** swagger.json definitions → kubeconform's standalone (strict) JSON schemas, one file per kind. */
export function convertSwagger(swagger, strict) {
  const defs = swagger.definitions;
  const INT_OR_STRING = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  // The API server accepts numbers for quantities (cpu: 1); the spec only says string.
  const QUANTITY = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  const expand = (schema, stack) => {
    if (Array.isArray(schema)) return schema.map((s) => expand(s, stack));
    if (!schema || typeof schema !== 'object') return schema;
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.replace('#/definitions/', '');
      if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') return QUANTITY;
      // Recursive types (JSONSchemaProps of CRDs) end in "anything" where they recur.
      if (stack.includes(name) || !defs[name]) return {};
      return expand(defs[name], [...stack, name]);
    }
    if (schema.format === 'int-or-string') return INT_OR_STRING;
    const out = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'description' || key.startsWith('x-kubernetes-')) continue;
      out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, stack)])) : expand(value, stack);
    }
    if (strict && out.properties && !('additionalProperties' in out)) out.additionalProperties = false;
    return out;
  };
  const files = new Map();
  for (const [name, def] of Object.entries(defs)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      const schema = expand(def, [name]);
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      // Like openapi2jsonschema --kubernetes: the kind and apiVersion this schema is for.
      if (schema.properties?.apiVersion) schema.properties.apiVersion = { ...schema.properties.apiVersion, enum: [apiVersion] };
      if (schema.properties?.kind) schema.properties.kind = { ...schema.properties.kind, enum: [gvk.kind] };
      // kubeconform's file name: <kind>-<first label of the group>-<version>, or <kind>-<version> for the core group.
      const file = `${gvk.kind.toLowerCase()}${gvk.group ? `-${gvk.group.split('.')[0].toLowerCase()}` : ''}-${gvk.version.toLowerCase()}.json`;
      files.set(file, schema);
    }
  }
  return files;
}

function ensureSchemas() {
  const stampFile = join(tools.schemas, '.stamp');
  // This script's own text (not the function's: a test runner may have transformed it).
  const stamp = hashOf(KUBERNETES_VERSION, readFileSync(fileURLToPath(import.meta.url)));
  const dirs = ['', '-strict'].map((s) => join(tools.schemas, `${KUBERNETES_VERSION}-standalone${s}`));
  if (fresh(stampFile, stamp, dirs)) return;
  log(`deriving Kubernetes ${KUBERNETES_VERSION} JSON schemas from k8s.io/kubernetes's OpenAPI spec (Go module proxy)…`);
  // Outside any module: a plain download of the module zip into the module cache (checksum-verified).
  const result = spawnSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`], {
    cwd: tmpdir(),
    env: goEnv({ GO111MODULE: 'on' }),
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (result.status !== 0) throw new Error(`go mod download k8s.io/kubernetes@${KUBERNETES_VERSION} failed: ${result.stderr || result.stdout}`);
  const { Dir } = JSON.parse(result.stdout);
  const swagger = JSON.parse(readFileSync(join(Dir, 'api/openapi-spec/swagger.json'), 'utf8'));
  rmSync(tools.schemas, { recursive: true, force: true });
  for (const [i, dir] of dirs.entries()) {
    const tmp = `${dir}.tmp`;
    mkdirSync(tmp, { recursive: true });
    const files = convertSwagger(swagger, i === 1);
    for (const [file, schema] of files) writeFileSync(join(tmp, file), JSON.stringify(schema));
    renameSync(tmp, dir);
    log(`${files.size} schemas in ${dir.slice(root.length)}`);
  }
  writeFileSync(stampFile, stamp);
}

export function ensureDeployTools() {
  ensureGoModule(
    k8sDir,
    ['sigs.k8s.io/kustomize/kustomize/v5', 'github.com/yannh/kubeconform/cmd/kubeconform', './yaml2json'],
    [tools.kustomize, tools.kubeconform, tools.yaml2json],
    ['yaml2json/main.go'],
  );
  ensureGoModule(lintDir, ['.'], [tools.dockerfileLint], ['main.go']);
  ensureSchemas();
  return tools;
}

// ---- checks --------------------------------------------------------------------------------------

/** `kustomize build deploy/overlays/<name>`: the YAML an operator would apply. */
export function renderOverlay(name) {
  const result = spawnSync(tools.kustomize, ['build', join(root, 'deploy/overlays', name)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`kustomize build deploy/overlays/${name} failed:\n${result.stderr}`);
  return result.stdout;
}

/** The rendered YAML as objects (tools/k8s/yaml2json). */
export function parseManifests(yaml) {
  const result = spawnSync(tools.yaml2json, [], { input: yaml, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`yaml2json failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** kubeconform -strict over YAML: returns { ok, output }. */
export function validate(yaml) {
  const result = spawnSync(tools.kubeconform, ['-strict', '-summary', '-output', 'text', '-schema-location', schemaLocation, '-'], {
    input: yaml,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** BuildKit's Dockerfile checks: returns { ok, output }. */
export function lintDockerfile(file = 'Dockerfile') {
  const result = spawnSync(tools.dockerfileLint, [file], { encoding: 'utf8', cwd: root });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

function check() {
  ensureDeployTools();
  let failed = false;
  const lint = lintDockerfile();
  console.log(`Dockerfile (BuildKit checks): ${lint.output}`);
  failed ||= !lint.ok;
  for (const name of overlays()) {
    const { ok, output } = validate(renderOverlay(name));
    console.log(`deploy/overlays/${name} (kustomize build | kubeconform -strict, Kubernetes ${KUBERNETES_VERSION}): ${output}`);
    failed ||= !ok;
  }
  if (failed) throw new Error('deployment checks failed (above)');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const command = process.argv[2] ?? 'check';
    if (command === 'ensure') ensureDeployTools();
    else if (command === 'check') check();
    else throw new Error(`unknown command ${command}: ensure | check`);
  } catch (error) {
    log(error.message);
    process.exit(1);
  }
}
