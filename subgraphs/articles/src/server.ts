import { AuditTrail, equalityReadsFor, pointReadsFor } from '@stagelives/platform';
import { createSubgraphServer, isAuthenticated, isVerifiedMember, type SubgraphDeps, type SubgraphServer } from '@stagelives/platform/subgraph';
import { finishDeletes } from './article/article-deletion.service.js';
import { type ArticlesContext, createArticlesContext } from './context.js';
import { startModerationConsumer } from './events/moderation.consumer.js';
import { createArticlesRepositories, ensureArticlesIndexes } from './repositories.js';
import { buildSchema } from './schema.js';
import { registerStaffActions } from './staff/staff-actions.js';

/**
 * Builds the articles subgraph server (never listens); completes interrupted deletes first, and
 * starts the consumer that applies moderation decisions (stopped by `close()`).
 */
export async function createArticlesServer(deps: SubgraphDeps): Promise<SubgraphServer> {
  const { config, logger, mongo, features, redis } = deps;
  const db = mongo.db('articles');
  const repos = createArticlesRepositories(db, features.textSearch, pointReadsFor(features), equalityReadsFor(features));
  await ensureArticlesIndexes(repos);
  if (!features.textSearch) logger.info('articles: no $text on this MongoDB server, searching with escaped case-insensitive regexes');
  await finishDeletes(repos, logger);
  // An admin's edits and deletes of others' articles and comments are recorded (docs/moderation.md).
  const audit = registerStaffActions(new AuditTrail({ db, redis, redisPrefix: config.REDIS_PREFIX, logger }), repos);
  await audit.ensureIndexes();
  audit.start();

  const signedIn = isAuthenticated;
  // REQUIRE_VERIFIED_EMAIL: posting needs a verified email (EMAIL_NOT_VERIFIED), docs/users.md.
  const verified = isVerifiedMember(deps.env);
  const server = await createSubgraphServer<ArticlesContext>({
    name: 'articles',
    schema: await buildSchema(),
    deps,
    permissions: {
      Mutation: {
        createArticle: verified,
        updateArticle: signedIn,
        deleteArticle: signedIn,
        likeArticle: signedIn,
        unlikeArticle: signedIn,
        bookmarkArticle: signedIn,
        unbookmarkArticle: signedIn,
        addComment: verified,
        updateComment: signedIn,
        deleteComment: signedIn,
      },
    },
    createContext: (base) => createArticlesContext(base, repos, audit),
  });
  const moderation = startModerationConsumer({ redis, redisPrefix: config.REDIS_PREFIX, repos, logger });
  return {
    httpServer: server.httpServer,
    listen: (port, host) => server.listen(port, host),
    close: async () => {
      await moderation.stop();
      await server.close();
      await audit.stop();
    },
  };
}
