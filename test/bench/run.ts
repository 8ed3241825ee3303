/**
 * `npm run bench`: throughput and latency through the real router, against real FerretDB and
 * Redis. Targets are checked here, never in tests; a FAIL sets a non-zero exit code (the HTTP
 * part's targets are reported only: see peers.ts).
 *
 * Environment:
 *   BENCH_ONLY         `http`, `fanout` or `notifications`: run only those scenarios (default: all)
 *   BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_SCENARIOS, …: the HTTP side-by-side part's settings: see peers.ts
 *   BENCH_FANOUT_*     the chat fan-out scenario's settings: see fanout.ts
 *   BENCH_NOTIFY_*     the notifications scenario's settings: see notifications.ts
 *   BENCH_RUNTIME      `dist` (default): our router, subgraphs and workers run from the production build, as
 *                      the image runs them (built first when a source is newer); `tsx`: from the sources
 *   BENCH_ROUTER_NODE_FLAGS  node flags for our router (HTTP and fan-out parts) instead of the deployed ones
 *                      (the router Deployment's NODE_OPTIONS in deploy/base/router.yaml); empty: none
 */
import { startMissingServices } from '@stagelives/devkit';
import { createStack } from '../support/stack.js';
import { prepareBenchRuntime } from './children.js';
import { runFanout } from './fanout.js';
import { runNotifications } from './notifications.js';
import { runPeers } from './peers.js';

const only = process.env.BENCH_ONLY;
if (only && only !== 'http' && only !== 'fanout' && only !== 'notifications') throw new Error('BENCH_ONLY must be http, fanout or notifications');

// Build before anything is measured.
prepareBenchRuntime();

const services = await startMissingServices({ mongoUri: process.env.MONGODB_URI, redisUrl: process.env.REDIS_URL });
try {
  // The fan-out scenario sends hundreds of messages as one user: the chat subgraph's send limit is lifted.
  const stack = await createStack({ MONGODB_URI: services.mongoUri, REDIS_URL: services.redisUrl, FIELD_RATE_LIMIT_FACTOR: '100000' });
  try {
    let failed = false;
    /** One part; one that throws is reported and fails the run, and the next part still runs. */
    const part = async (name: string, run: () => Promise<{ failed: boolean }>) => {
      if (only && only !== name) return;
      try {
        failed = (await run()).failed || failed;
      } catch (error) {
        failed = true;
        console.error(`\nbench part ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    };
    await part('http', () => runPeers(stack));
    await part('fanout', () => runFanout(stack));
    await part('notifications', () => runNotifications({ mongoUri: services.mongoUri, redisUrl: services.redisUrl }));
    process.exitCode = failed ? 1 : 0;
  } finally {
    await stack.close();
  }
} finally {
  await services.stop();
}
// Exit explicitly: a router's ChatHub leaves its (never used) lazy Redis publisher connected at
// close (quit() on a client without an offline queue fails before it connects), and that
// connection keeps reconnecting to the Redis server stopped above, so the process would not end.
process.exit();
