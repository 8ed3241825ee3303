import { buildFederatedSchema } from '@stagelives/schema';
import { ConcertResolver, concertReferenceResolver } from './concert/concert.resolver.js';

/** The concerts subgraph schema. */
export function buildSchema() {
  return buildFederatedSchema({ resolvers: [ConcertResolver] }, concertReferenceResolver);
}
