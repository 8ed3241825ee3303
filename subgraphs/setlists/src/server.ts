import { createSubgraphServer, isAdmin, type SubgraphDeps, type SubgraphServer } from '@stagelives/schema';
import type { SetlistsContext } from './context.js';
import { buildSchema } from './schema.js';
import { createSetlistByConcertLoader } from './setlist/setlist.loader.js';
import { SetlistRepository } from './setlist/setlist.repository.js';
import { SetlistService } from './setlist/setlist.service.js';

/** Builds the setlists subgraph server (never listens). Creates its indexes, idempotently. */
export async function createSetlistsServer({ config, logger, mongo, redis }: SubgraphDeps): Promise<SubgraphServer> {
  const repository = new SetlistRepository(mongo.db('setlists'));
  await repository.ensureIndexes();
  const setlists = new SetlistService(repository);

  return createSubgraphServer<SetlistsContext>({
    name: 'setlists',
    schema: await buildSchema(),
    logger,
    identitySecret: config.IDENTITY_SECRET,
    debug: config.NODE_ENV === 'development',
    healthChecks: { mongodb: () => mongo.ping(), redis: () => redis.ping() },
    permissions: { Mutation: { upsertSetlist: isAdmin, deleteSetlist: isAdmin } },
    createContext: (base) => ({ ...base, setlists, loaders: { setlistByConcert: createSetlistByConcertLoader(repository) } }),
  });
}
