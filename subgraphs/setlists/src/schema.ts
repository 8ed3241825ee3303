import { buildFederatedSchema } from '@stagelives/schema';
import { ConcertSetlistResolver } from './concert/concert-setlist.resolver.js';
import { concertReferenceResolver } from './concert/concert.reference.js';
import { SetlistResolver } from './setlist/setlist.resolver.js';

/** The setlists subgraph schema. */
export function buildSchema() {
  return buildFederatedSchema({ resolvers: [SetlistResolver, ConcertSetlistResolver] }, concertReferenceResolver);
}
