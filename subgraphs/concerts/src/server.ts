import { createSubgraphServer, isAdmin, type SubgraphDeps, type SubgraphServer } from '@stagelives/schema';
import { createConcertLoader } from './concert/concert.loader.js';
import { ConcertRepository } from './concert/concert.repository.js';
import { ConcertService } from './concert/concert.service.js';
import type { ConcertsContext } from './context.js';
import { buildSchema } from './schema.js';

/** Builds the concerts subgraph server (never listens). */
export async function createConcertsServer({ config, logger, mongo, redis }: SubgraphDeps): Promise<SubgraphServer> {
  const concertsRepo = new ConcertRepository(mongo.db('concerts'));
  await concertsRepo.ensureIndexes();
  const concerts = new ConcertService(concertsRepo);

  return createSubgraphServer<ConcertsContext>({
    name: 'concerts',
    schema: await buildSchema(),
    logger,
    identitySecret: config.IDENTITY_SECRET,
    debug: config.NODE_ENV === 'development',
    healthChecks: { mongodb: () => mongo.ping(), redis: () => redis.ping() },
    permissions: { Mutation: { createConcert: isAdmin } },
    createContext: (base) => ({ ...base, concerts, loaders: { concert: createConcertLoader(concertsRepo) } }),
  });
}
