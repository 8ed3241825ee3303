import { createRequire } from 'node:module';
import { delimiter, dirname } from 'node:path';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Children the tests start by name (`node` from the Dockerfile's CMD, `npm run build`) run on the
// Node that runs the tests, whatever else is on the PATH: its folder goes first unless already listed.
const PATH = process.env.PATH ?? '';
if (!PATH.split(delimiter).includes(dirname(process.execPath))) process.env.PATH = `${dirname(process.execPath)}${delimiter}${PATH}`;

/**
 * Test files that need no service — no FerretDB, no Redis, no browser, no stack — are named
 * `*.unit.test.ts`: they form the `unit` project (`npm run test:unit` runs it alone, without the
 * global setup). Name a file so only if it passes with no service started; every other test
 * file runs in the `services` project, after its global setup.
 */
const UNIT_TESTS = ['**/*.unit.test.ts'];

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
          exclude: [...UNIT_TESTS, '**/node_modules/**'],
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
