import { createSubgraphServer, isAdmin, isAuthenticated, type SubgraphDeps, type SubgraphServer } from '@stagelives/platform/subgraph';
import { createConcertLoader } from './concert/concert.loader.js';
import { ConcertRepository } from './concert/concert.repository.js';
import { ConcertService } from './concert/concert.service.js';
import type { ConcertsContext } from './context.js';
import { ConcertEvents } from './events/concert-events.js';
import { createLikeCountLoader, createViewerLikeLoader } from './like/like.loader.js';
import { LikeRepository } from './like/like.repository.js';
import { LikeService } from './like/like.service.js';
import { buildSchema } from './schema.js';

/** Builds the concerts subgraph server (never listens). Creates its indexes, idempotently. */
export async function createConcertsServer(deps: SubgraphDeps): Promise<SubgraphServer> {
  const { config, logger, mongo, redis, features } = deps;
  const db = mongo.db('concerts');
  const concertsRepo = new ConcertRepository(db, features.textSearch);
  const likesRepo = new LikeRepository(db);
  await Promise.all([concertsRepo.ensureIndexes(), likesRepo.ensureIndexes()]);
  if (!features.textSearch) logger.info('concert search uses an escaped, case-insensitive $regex: the server has no $text');
  const events = new ConcertEvents(redis, config.REDIS_PREFIX, db, logger);
  const concerts = new ConcertService(concertsRepo, likesRepo, events);
  const likes = new LikeService(concertsRepo, likesRepo, events);

  return createSubgraphServer<ConcertsContext>({
    name: 'concerts',
    schema: await buildSchema(),
    deps,
    permissions: {
      Mutation: {
        createConcert: isAdmin,
        updateConcert: isAdmin,
        cancelConcert: isAdmin,
        deleteConcert: isAdmin,
        likeConcert: isAuthenticated,
        unlikeConcert: isAuthenticated,
      },
    },
    createContext: (base) => ({
      ...base,
      concerts,
      likes,
      loaders: {
        concert: createConcertLoader(concertsRepo),
        likeCount: createLikeCountLoader(likesRepo),
        viewerLike: createViewerLikeLoader(likesRepo, base.viewer?.userId ?? null),
      },
    }),
  });
}
