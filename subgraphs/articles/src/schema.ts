import { buildFederatedSchema } from '@stagelives/schema';
import { articleReferenceResolver } from './article/article.reference.js';
import { ArticleResolver } from './article/article.resolver.js';
import { commentReferenceResolver } from './comment/comment.reference.js';
import { CommentResolver } from './comment/comment.resolver.js';
import { ConcertArticlesResolver } from './concert/concert-articles.resolver.js';
import { concertReferenceResolver } from './concert/concert.reference.js';
import { UserBookmarkedArticlesResolver } from './user/user-bookmarked-articles.resolver.js';
import { userReferenceResolver } from './user/user.reference.js';

/** The articles subgraph schema. */
export function buildSchema() {
  return buildFederatedSchema(
    { resolvers: [ArticleResolver, CommentResolver, ConcertArticlesResolver, UserBookmarkedArticlesResolver] },
    { ...articleReferenceResolver, ...commentReferenceResolver, ...concertReferenceResolver, ...userReferenceResolver },
  );
}
