import { buildFederatedSchema } from '@stagelives/schema';
import { concertReferenceResolver } from './concert/concert.ref.js';
import { ConcertSetlistResolver, SetlistResolver } from './setlist/setlist.resolver.js';

/** The setlists subgraph schema. */
export function buildSchema() {
  return buildFederatedSchema({ resolvers: [SetlistResolver, ConcertSetlistResolver] }, concertReferenceResolver);
}
