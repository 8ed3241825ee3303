import { buildFederatedSchema } from '@stagelives/schema';
import { concertReferenceResolver } from './concert/concert.reference.js';
import { ConcertResolver } from './concert/concert.resolver.js';
import { UserLikedConcertsResolver } from './user/user-liked-concerts.resolver.js';
import { userReferenceResolver } from './user/user.reference.js';

/** The concerts subgraph schema. */
export function buildSchema() {
  return buildFederatedSchema({ resolvers: [ConcertResolver, UserLikedConcertsResolver] }, { ...concertReferenceResolver, ...userReferenceResolver });
}
