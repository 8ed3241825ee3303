import { AuditTrail, UserLinkRepository, equalityReadsFor, pointReadsFor } from '@stagelives/platform';
import { createSubgraphServer, isAdmin, isAuthenticated, type SubgraphDeps, type SubgraphServer } from '@stagelives/platform/subgraph';
import { createConcertLoader } from './concert/concert.loader.js';
import { ConcertRepository } from './concert/concert.repository.js';
import { ConcertService } from './concert/concert.service.js';
import type { ConcertsContext } from './context.js';
import { ConcertEvents } from './events/concert-events.js';
import { ConcertCountCache } from './concert/concert-count.cache.js';
import { recountLikes } from './like/like-count.repository.js';
import { LIKES_COLLECTION } from './like/reminder-source.repository.js';
import { createViewerLikeLoader } from './like/like.loader.js';
import { LikeService } from './like/like.service.js';
import { buildSchema } from './schema.js';

/** Builds the concerts subgraph server (never listens). Creates its indexes, idempotently. */
export async function createConcertsServer(deps: SubgraphDeps): Promise<SubgraphServer> {
  const { config, logger, mongo, redis, features } = deps;
  const db = mongo.db('concerts');
  const concertsRepo = new ConcertRepository(db, {
    textSearch: features.textSearch,
    counts: new ConcertCountCache(redis, config.REDIS_PREFIX, (err) => logger.warn({ err }, 'concerts: count cache unavailable, counting in the database')),
    pointReadsUpTo: pointReadsFor(features),
    weeklyPages: equalityReadsFor(features) > 0,
  });
  // One like per (concert, fan): unique index `concert_user_unique`.
  const likesRepo = new UserLinkRepository(db, LIKES_COLLECTION, 'concertId');
  await Promise.all([concertsRepo.ensureIndexes(), likesRepo.ensureIndexes()]);
  // Concerts stored before `likeCount` existed get theirs from their like documents.
  const backfilled = await recountLikes(concertsRepo.collection, likesRepo.collection, { onlyMissing: true });
  if (backfilled.fixed > 0) logger.info(backfilled, 'concerts: like counts filled in from the like documents');
  const weeksFilled = await concertsRepo.fillStartsWeeks();
  if (weeksFilled > 0) logger.info({ filled: weeksFilled }, 'concerts: start weeks filled in');
  if (!features.textSearch) logger.info('concert search uses an escaped, case-insensitive $regex: the server has no $text');
  const events = new ConcertEvents(redis, config.REDIS_PREFIX, db, logger);
  // Every concert write is an admin's: recorded in the audit trail (docs/moderation.md).
  const audit = new AuditTrail({ db, redis, redisPrefix: config.REDIS_PREFIX, logger });
  const concerts = new ConcertService(concertsRepo, likesRepo, events, audit);
  await audit.ensureIndexes();
  audit.start();

  const server = await createSubgraphServer<ConcertsContext>({
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
    createContext: (base) => {
      const loaders: ConcertsContext['loaders'] = {
        concert: createConcertLoader(concertsRepo),
        viewerLike: createViewerLikeLoader(likesRepo, base.viewer?.userId ?? null),
      };
      return { ...base, concerts, likes: new LikeService(concertsRepo, likesRepo, events, loaders.concert), loaders };
    },
  });
  return {
    httpServer: server.httpServer,
    listen: (port, host) => server.listen(port, host),
    close: async () => {
      await server.close();
      await audit.stop();
    },
  };
}
