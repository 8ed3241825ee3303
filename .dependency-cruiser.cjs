// The layering of docs/architecture.md as rules the build checks (`npm test` runs them through
// test/architecture/dependencies.test.ts; `npx depcruise --config .dependency-cruiser.cjs <dirs>` by hand).
// Paths are the files a specifier resolves to: `@stagelives/concerts/status` is
// subgraphs/concerts/src/status.ts (the workspace symlink followed, the `default` export condition).

/** Source of our packages, test code excluded. */
const OURS = '^(schema|platform|router|workers|subgraphs/[^/]+|tools/devkit|test)/';

/** The narrow exports a worker may import from a domain (the package `exports` subpaths workers/src uses). */
const DOMAIN_NARROW_EXPORTS = [
  '^subgraphs/concerts/src/status[.]ts$',
  '^subgraphs/concerts/src/reminder-source[.]ts$',
  '^subgraphs/notifications/src/store[.]ts$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, type-only imports included: move what both sides need to a file of its own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'schema-imports-nothing-of-ours',
      severity: 'error',
      comment: 'schema is the contract: it imports no other package of ours.',
      from: { path: '^schema/' },
      // Its own tests may start FerretDB and Redis through tools/devkit (devkit-only-for-tests-and-scripts keeps src off it).
      to: { path: OURS, pathNot: '^schema/|^tools/devkit/' },
    },
    {
      name: 'platform-imports-only-schema',
      severity: 'error',
      comment: 'platform (and platform/subgraph) is the process runtime: of ours it imports only schema.',
      from: { path: '^platform/' },
      // Its own tests may start FerretDB and Redis through tools/devkit (devkit-only-for-tests-and-scripts keeps src off it).
      to: { path: OURS, pathNot: '^(platform|schema|tools/devkit)/' },
    },
    {
      name: 'subgraph-not-another-subgraph',
      severity: 'error',
      comment: 'A subgraph never imports another: foreign entities are references (entityRef), cross-domain facts travel as events.',
      from: { path: '^subgraphs/([^/]+)/' },
      to: { path: '^subgraphs/', pathNot: '^subgraphs/$1/' },
    },
    {
      name: 'runtime-not-router-or-workers',
      severity: 'error',
      comment: 'router and workers are processes on top: no subgraph (nor platform or schema) imports them, and neither imports the other.',
      from: { path: '^(schema|platform|subgraphs/[^/]+|router)/' },
      to: { path: '^workers/' },
    },
    {
      name: 'nothing-imports-router',
      severity: 'error',
      comment: 'The router is the public entry point; only the end-to-end tests and scripts start it.',
      from: { path: '^(schema|platform|subgraphs/[^/]+|workers)/' },
      to: { path: '^router/' },
    },
    {
      name: 'router-not-a-domain',
      severity: 'error',
      comment: 'The router reaches the domains through the graph (the composed supergraph), never by import.',
      from: { path: '^router/' },
      to: { path: '^subgraphs/' },
    },
    {
      name: 'workers-only-narrow-domain-exports',
      severity: 'error',
      comment:
        'A worker reaches a domain only through its narrow export: @stagelives/concerts/status, @stagelives/concerts/reminder-source, @stagelives/notifications/store.',
      from: { path: '^workers/src/' },
      to: { path: '^subgraphs/', pathNot: DOMAIN_NARROW_EXPORTS },
    },
    {
      name: 'test-is-a-leaf',
      severity: 'error',
      comment: 'test/ (end-to-end tests and their support) is on top of everything: nothing but test/ and scripts/ import it.',
      from: { pathNot: '^(test|scripts)/' },
      to: { path: '^test/' },
    },
    {
      name: 'devkit-only-for-tests-and-scripts',
      severity: 'error',
      comment: 'tools/devkit starts FerretDB and Redis for dev, tests and benchmarks: imported by test code and scripts only, never at run time.',
      from: { path: '^(schema|platform|router|workers|subgraphs/[^/]+)/src/' },
      to: { path: '^tools/devkit/' },
    },
    {
      name: 'schema-tooling-build-time-only',
      severity: 'error',
      comment: '@stagelives/schema/tooling is build-time only: nothing at run time imports it.',
      from: { path: '^(platform|router|workers|subgraphs/[^/]+)/src/', pathNot: '^subgraphs/[^/]+/src/tooling/' },
      to: { path: '^schema/src/tooling/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|[.]cache|[.]turbo)/' },
    // Type-only imports count: a cycle through `import type` is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
