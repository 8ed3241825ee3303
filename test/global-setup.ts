import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startFerretDB, startRedis, type ChildService } from '../scripts/lib/services.js';

/**
 * Starts what the tests need and was not given: FerretDB (MONGODB_URI unset) on a throwaway
 * SQLite directory and a private redis-server (REDIS_URL unset), each on a free port.
 */
export default async function setup(project: TestProject) {
  const started: ChildService[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'stagelives-test-'));
  let mongoUri = process.env.MONGODB_URI;
  let redisUrl = process.env.REDIS_URL;
  if (!mongoUri) {
    const ferret = await startFerretDB({ dataDir: join(dataDir, 'ferretdb'), onOutput: (l) => process.stderr.write(`[ferretdb] ${l}\n`) });
    started.push(ferret);
    mongoUri = ferret.url;
  }
  if (!redisUrl) {
    const redis = await startRedis();
    started.push(redis);
    redisUrl = redis.url;
  }
  project.provide('mongoUri', mongoUri);
  project.provide('redisUrl', redisUrl);
  return async () => {
    for (const service of started.reverse()) await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
