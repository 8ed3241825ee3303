/**
 * The anchor peer (forked by `../peers.ts`): a plain `@apollo/gateway` in Apollo Server 5's
 * standalone server over the same supergraph and subgraphs as the router, with no plugins and
 * no limits of ours: the setup Apollo's documentation starts from.
 *
 * The identity the subgraphs expect is not created here (there are no sessions): the bench
 * client sends the signed `x-stagelives-identity` and its `x-request-id`, and this gateway
 * forwards both to every subgraph, as a gateway behind an auth proxy would.
 *
 * Environment: SUPERGRAPH_FILE (the supergraph with this run's subgraph URLs).
 * Announces `{ type: 'listening', port }`.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { IDENTITY_HEADER, REQUEST_ID_HEADER } from '@stagelives/schema';

interface Context {
  forward: Record<string, string>;
}

const file = process.env.SUPERGRAPH_FILE;
if (!file) throw new Error('SUPERGRAPH_FILE is required');

class ForwardingDataSource extends RemoteGraphQLDataSource<Context> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<Context>['willSendRequest']>>[0]) {
    const forward = (context as Partial<Context>).forward;
    if (!forward) return;
    for (const [name, value] of Object.entries(forward)) request.http?.headers.set(name, value);
  }
}

// As our router does: no usage metrics to Apollo's servers (the gateway sends them by default).
process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(file, 'utf8'),
  buildService: ({ url }) => new ForwardingDataSource({ url }),
});
const server = new ApolloServer<Context>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: 0, host: '127.0.0.1' },
  context: async ({ req }) => {
    const forward: Record<string, string> = {};
    for (const name of [IDENTITY_HEADER, REQUEST_ID_HEADER]) {
      const value = req.headers[name];
      if (typeof value === 'string') forward[name] = value;
    }
    return { forward };
  },
});
process.send?.({ type: 'listening', name: 'apollo-gateway', port: Number(new URL(url).port) });

const stop = async () => {
  await server.stop().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
