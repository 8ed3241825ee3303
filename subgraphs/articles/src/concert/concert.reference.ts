import { PUBLIC_MAX_AGE_SECONDS, entityRef } from '@stagelives/schema';

/** A concert owned by the concerts subgraph; this subgraph adds `articles` (ConcertArticlesResolver). */
export const { Ref: ConcertReference, referenceResolver: concertReferenceResolver } = entityRef('Concert', { cacheMaxAge: PUBLIC_MAX_AGE_SECONDS });
export type ConcertReference = InstanceType<typeof ConcertReference>;
