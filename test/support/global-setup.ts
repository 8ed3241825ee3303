import type { TestProject } from 'vitest/node';
import { startMissingServices } from '@stagelives/devkit';

/**
 * Starts what the tests need and was not given: FerretDB (MONGODB_URI unset) on a throwaway
 * SQLite directory and a private redis-server (REDIS_URL unset), each on a free port.
 */
export default async function setup(project: TestProject) {
  const services = await startMissingServices({
    mongoUri: process.env.MONGODB_URI,
    redisUrl: process.env.REDIS_URL,
    onOutput: (name, line) => process.stderr.write(`[${name}] ${line}\n`),
  });
  project.provide('mongoUri', services.mongoUri);
  project.provide('redisUrl', services.redisUrl);
  return services.stop;
}
