import { buildFederatedSchema } from '@stagelives/schema';
import { ArticleResolver, articleReferenceResolver } from './article/article.resolver.js';
import { CommentResolver } from './comment/comment.resolver.js';
import { ConcertRefResolver, concertReferenceResolver } from './concert/concert.resolver.js';
import { UserRefResolver, userReferenceResolver } from './user/user.resolver.js';

/** The articles subgraph schema. */
export function buildSchema() {
  return buildFederatedSchema(
    { resolvers: [ArticleResolver, CommentResolver, ConcertRefResolver, UserRefResolver] },
    { ...articleReferenceResolver, ...concertReferenceResolver, ...userReferenceResolver },
  );
}
