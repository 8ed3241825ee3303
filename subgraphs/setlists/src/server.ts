import { equalityReadsFor } from '@stagelives/platform';
import { createSubgraphServer, isAdmin, type SubgraphDeps, type SubgraphServer } from '@stagelives/platform/subgraph';
import type { SetlistsContext } from './context.js';
import { startConcertDeletedConsumer } from './events/concert-deleted.consumer.js';
import { buildSchema } from './schema.js';
import { createSetlistByConcertLoader } from './setlist/setlist.loader.js';
import { SetlistRepository } from './setlist/setlist.repository.js';
import { SetlistService } from './setlist/setlist.service.js';

/**
 * Builds the setlists subgraph server (never listens). Creates its indexes, idempotently, and
 * starts the consumer that drops setlists of deleted concerts (stopped by `close()`).
 */
export async function createSetlistsServer(deps: SubgraphDeps): Promise<SubgraphServer> {
  const { config, logger, mongo, redis, features } = deps;
  const repository = new SetlistRepository(mongo.db('setlists'), equalityReadsFor(features));
  await repository.ensureIndexes();
  const setlists = new SetlistService(repository);

  const server = await createSubgraphServer<SetlistsContext>({
    name: 'setlists',
    schema: await buildSchema(),
    deps,
    permissions: { Mutation: { upsertSetlist: isAdmin, deleteSetlist: isAdmin } },
    createContext: (base) => ({ ...base, setlists, loaders: { setlistByConcert: createSetlistByConcertLoader(repository) } }),
  });
  const consumer = startConcertDeletedConsumer({ redis, redisPrefix: config.REDIS_PREFIX, setlists: repository, logger });
  return {
    httpServer: server.httpServer,
    listen: (port, host) => server.listen(port, host),
    close: async () => {
      await consumer.stop();
      await server.close();
    },
  };
}
