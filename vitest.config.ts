import { createRequire } from 'node:module';
import { delimiter, dirname } from 'node:path';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Children the tests start by name (`node` from the Dockerfile's CMD, `npm run build`) run on the
// Node that runs the tests, whatever else is on the PATH: its folder goes first unless already listed.
const PATH = process.env.PATH ?? '';
if (!PATH.split(delimiter).includes(dirname(process.execPath))) process.env.PATH = `${dirname(process.execPath)}${delimiter}${PATH}`;

/**
 * Test files that need no service: no FerretDB, no Redis, no browser, no stack (`npm run test:unit`
 * runs them alone). A file belongs here only if it passes with no service started; everything
 * else runs in the `services` project, after its global setup.
 */
const UNIT_TESTS = [
  'platform/tests/group-commit.test.ts',
  'platform/tests/permissions.test.ts',
  'schema/tests/contract.test.ts',
  'schema/tests/list-sizes.test.ts',
  'schema/tests/operation-manifest.test.ts',
  'schema/tests/supergraph.test.ts',
  'router/tests/cost.test.ts',
  'router/tests/event-operation.test.ts',
  'router/tests/operation-limits.test.ts',
  'router/tests/protocol-server.test.ts',
  'router/tests/response-cache-tags.test.ts',
  'router/tests/rest-variables.test.ts',
  'router/tests/subgraph-policy.test.ts',
  'router/tests/text-frame.test.ts',
  'router/tests/trusted-operations.test.ts',
  'subgraphs/articles/tests/content.test.ts',
  'subgraphs/chat/tests/plain-text.test.ts',
  'subgraphs/notifications/tests/reminder-rules.test.ts',
  'subgraphs/notifications/tests/settings-rules.test.ts',
  'subgraphs/setlists/tests/playlist-url.test.ts',
  'subgraphs/users/tests/config.test.ts',
  'subgraphs/users/tests/email.test.ts',
  'subgraphs/users/tests/nickname.test.ts',
  'subgraphs/users/tests/password.test.ts',
  'subgraphs/users/tests/roles.test.ts',
  'workers/tests/metrics.test.ts',
  'workers/tests/push.test.ts',
  'test/architecture/collection-access.test.ts',
  'test/architecture/dependencies.test.ts',
];

export default defineConfig({
  // Node loads graphql's CommonJS build (it has no "exports" map); Vite would pick its .mjs
  // build for our files and federation would see two graphql realms. Use one, as Node does.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    // Each file runs in exactly one project: `npm test` runs both, `npm run test:unit` only `unit`.
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT_TESTS } },
      {
        extends: true,
        test: {
          name: 'services',
          include: [
            'platform/tests/**/*.test.ts',
            'schema/tests/**/*.test.ts',
            'subgraphs/*/tests/**/*.test.ts',
            'router/tests/**/*.test.ts',
            'workers/tests/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: UNIT_TESTS,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers only contend for them (and for FerretDB).
    maxWorkers: 2,
  },
});
