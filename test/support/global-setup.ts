import type { TestProject } from 'vitest/node';
import { startMailpit, startMissingServices } from '@stagelives/devkit';

/**
 * Starts what the tests need and was not given: FerretDB (MONGODB_URI unset) on throwaway data,
 * on a private PostgreSQL when the machine has its binaries, else on SQLite (FERRETDB_BACKEND
 * chooses: devkit's startDatabase; tests read which as `inject('mongoBackend')`), a private
 * redis-server (REDIS_URL unset), and Mailpit (the local SMTP server the users subgraph sends
 * to; tests read the delivered mail through its HTTP API), each on a free port.
 */
export default async function setup(project: TestProject) {
  const services = await startMissingServices({
    mongoUri: process.env.MONGODB_URI,
    redisUrl: process.env.REDIS_URL,
    onOutput: (name, line) => process.stderr.write(`[${name}] ${line}\n`),
  });
  let mailpit: Awaited<ReturnType<typeof startMailpit>>;
  try {
    mailpit = await startMailpit({ onOutput: (line) => process.stderr.write(`[mailpit] ${line}\n`) });
  } catch (error) {
    await services.stop();
    throw error;
  }
  project.provide('mongoUri', services.mongoUri);
  project.provide('mongoBackend', services.backend);
  project.provide('redisUrl', services.redisUrl);
  project.provide('smtpUrl', mailpit.url);
  project.provide('mailpitUrl', mailpit.webUrl);
  return async () => {
    await mailpit.stop();
    await services.stop();
  };
}
