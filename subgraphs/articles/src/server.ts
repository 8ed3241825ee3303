import { createSubgraphServer, isAuthenticated, type SubgraphDeps, type SubgraphServer } from '@stagelives/platform/subgraph';
import { createArticleLoaders } from './article/article.loader.js';
import { ArticleRepository } from './article/article.repository.js';
import { ArticleService } from './article/article.service.js';
import { CommentRepository } from './comment/comment.repository.js';
import { CommentService } from './comment/comment.service.js';
import type { ArticlesContext } from './context.js';
import { ReactionRepository } from './reaction/reaction.repository.js';
import { buildSchema } from './schema.js';

/** Builds the articles subgraph server (never listens). */
export async function createArticlesServer(deps: SubgraphDeps): Promise<SubgraphServer> {
  const { logger, mongo, features } = deps;
  const db = mongo.db('articles');
  const repos = {
    articles: new ArticleRepository(db, features.textSearch),
    comments: new CommentRepository(db),
    likes: new ReactionRepository(db, 'likes'),
    bookmarks: new ReactionRepository(db, 'bookmarks'),
  };
  await Promise.all(Object.values(repos).map((r) => r.ensureIndexes()));
  if (!features.textSearch) logger.info('articles: no $text on this MongoDB server, searching with escaped case-insensitive regexes');
  const articles = new ArticleService(repos, logger);
  const comments = new CommentService(repos.comments, repos.articles, articles);
  await articles.finishDeletes();

  const signedIn = isAuthenticated;
  return createSubgraphServer<ArticlesContext>({
    name: 'articles',
    schema: await buildSchema(),
    deps,
    permissions: {
      Mutation: {
        createArticle: signedIn,
        updateArticle: signedIn,
        deleteArticle: signedIn,
        likeArticle: signedIn,
        unlikeArticle: signedIn,
        bookmarkArticle: signedIn,
        unbookmarkArticle: signedIn,
        addComment: signedIn,
        updateComment: signedIn,
        deleteComment: signedIn,
      },
    },
    createContext: (base) => ({ ...base, articles, comments, loaders: createArticleLoaders(repos, base.viewer?.userId ?? null) }),
  });
}
