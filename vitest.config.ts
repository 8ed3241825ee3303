import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['platform/tests/**/*.test.ts', 'schema/tests/**/*.test.ts', 'subgraphs/*/tests/**/*.test.ts', 'router/tests/**/*.test.ts', 'workers/tests/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers only contend for them (and for FerretDB).
    maxWorkers: 2,
  },
});
