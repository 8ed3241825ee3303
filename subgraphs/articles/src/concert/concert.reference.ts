import { entityRef } from '@stagelives/schema';

/** A concert owned by the concerts subgraph; this subgraph adds `articles` (ConcertArticlesResolver). */
export const { Ref: ConcertReference, referenceResolver: concertReferenceResolver } = entityRef('Concert');
export type ConcertReference = InstanceType<typeof ConcertReference>;
