import type { BaseContext } from '@stagelives/platform/subgraph';
import type { ArticleLoaders } from './article/article.loader.js';
import type { ArticleService } from './article/article.service.js';
import type { CommentService } from './comment/comment.service.js';

export interface ArticlesContext extends BaseContext {
  articles: ArticleService;
  comments: CommentService;
  loaders: ArticleLoaders;
}
