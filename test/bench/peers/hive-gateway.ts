/**
 * The Hive Gateway peer (forked by `../peers.ts`): `@graphql-hive/gateway-runtime`'s
 * `createGatewayRuntime` over the same supergraph SDL and subgraphs as the router, served by
 * node:http. Defaults otherwise (no response cache, no limits); its logging is off.
 *
 * Like the Apollo peer, it forwards the client's signed `x-stagelives-identity` and
 * `x-request-id` to every subgraph (`propagateHeaders`).
 *
 * Transport: Hive's HTTP transport lives in `@graphql-mesh/transport-http`, which the runtime
 * imports on demand and which `@graphql-hive/gateway-runtime` alone does not install (only the
 * `@graphql-hive/gateway` bundle does). Its query/mutation path is `buildHTTPExecutor` from
 * `@graphql-tools/executor-http` (a dependency of the runtime) over the entry's location, options
 * and the gateway's fetch; `httpTransport` below is that path (no header interpolation or
 * subscription executor, which no scenario uses). With transport-http installed, drop it.
 *
 * Environment: SUPERGRAPH_FILE (the supergraph with this run's subgraph URLs).
 * Announces `{ type: 'listening', port }`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import type { Transport } from '@graphql-mesh/transport-common';
import { buildHTTPExecutor, type HTTPExecutorOptions } from '@graphql-tools/executor-http';
import { IDENTITY_HEADER, REQUEST_ID_HEADER } from '@stagelives/schema';

const file = process.env.SUPERGRAPH_FILE;
if (!file) throw new Error('SUPERGRAPH_FILE is required');

/** `@graphql-mesh/transport-http`'s executor for queries and mutations. */
const httpTransport: Transport = {
  getSubgraphExecutor: ({ transportEntry, fetch, getDisposeReason }) =>
    // As upstream: the gateway's fetch passed through (its type differs from executor-http's).
    buildHTTPExecutor({
      endpoint: transportEntry.location,
      ...(transportEntry.options as HTTPExecutorOptions | undefined),
      getDisposeReason,
      fetch,
    } as HTTPExecutorOptions),
};

const gateway = createGatewayRuntime({
  supergraph: readFileSync(file, 'utf8'),
  logging: false,
  transports: { http: httpTransport },
  landingPage: false,
  maskedErrors: process.env.HIVE_DEBUG ? false : undefined,
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({
      [IDENTITY_HEADER]: request.headers.get(IDENTITY_HEADER) ?? undefined,
      [REQUEST_ID_HEADER]: request.headers.get(REQUEST_ID_HEADER) ?? undefined,
    }),
  },
});

const server = createServer(gateway);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
process.send?.({ type: 'listening', name: 'hive-gateway', port: typeof address === 'object' && address ? address.port : 0 });

const stop = async () => {
  server.close();
  await Promise.resolve(gateway.dispose()).catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
