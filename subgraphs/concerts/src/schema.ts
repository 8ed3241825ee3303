import { buildFederatedSchema } from '@stagelives/schema';
import { ConcertResolver, concertReferenceResolver } from './concert/concert.resolver.js';
import { userReferenceResolver } from './user/user.ref.js';
import { UserLikesResolver } from './user/user.resolver.js';

/** The concerts subgraph schema. */
export function buildSchema() {
  return buildFederatedSchema({ resolvers: [ConcertResolver, UserLikesResolver] }, { ...concertReferenceResolver, ...userReferenceResolver });
}
