import type { AuditTrail } from '@stagelives/platform';
import type { BaseContext } from '@stagelives/platform/subgraph';
import { ArticleDeletionService } from './article/article-deletion.service.js';
import { ArticleLoaders } from './article/article.loader.js';
import { ArticleService } from './article/article.service.js';
import { CommentService } from './comment/comment.service.js';
import { ReactionService } from './reaction/reaction.service.js';
import type { ArticlesRepositories } from './repositories.js';

/** What the articles resolvers get: this request's loaders, and services built on them. */
export interface ArticlesContext extends BaseContext {
  articles: ArticleService;
  articleDeletion: ArticleDeletionService;
  comments: CommentService;
  reactions: ReactionService;
  loaders: ArticleLoaders;
}

/** Per request: the loaders batch and cache for this request only, so the services that read through them are per request too. */
export function createArticlesContext(base: BaseContext, repos: ArticlesRepositories, audit: AuditTrail): ArticlesContext {
  const loaders = new ArticleLoaders(repos, base.viewer?.userId ?? null);
  const articleDeletion = new ArticleDeletionService(repos, loaders, base.viewer ?? null, audit);
  return {
    ...base,
    loaders,
    articleDeletion,
    articles: new ArticleService(repos, loaders, articleDeletion, audit),
    comments: new CommentService(repos, loaders, articleDeletion, audit),
    reactions: new ReactionService(repos, loaders, articleDeletion),
  };
}
