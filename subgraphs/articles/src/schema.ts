import { buildFederatedSchema } from '@stagelives/schema';
import { ArticleResolver, articleReferenceResolver } from './article/article.resolver.js';
import { CommentResolver } from './comment/comment.resolver.js';
import { concertReferenceResolver } from './concert/concert.ref.js';
import { ConcertRefResolver } from './concert/concert.resolver.js';
import { userReferenceResolver } from './user/user.ref.js';
import { UserRefResolver } from './user/user.resolver.js';

/** The articles subgraph schema. */
export function buildSchema() {
  return buildFederatedSchema(
    { resolvers: [ArticleResolver, CommentResolver, ConcertRefResolver, UserRefResolver] },
    { ...articleReferenceResolver, ...concertReferenceResolver, ...userReferenceResolver },
  );
}
