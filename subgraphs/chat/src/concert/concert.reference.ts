import { entityRef } from '@stagelives/schema';

/** A concert owned by the concerts subgraph; this subgraph adds `chatRoom`. */
export const { Ref: ConcertReference, referenceResolver: concertReferenceResolver } = entityRef('Concert');
export type ConcertReference = InstanceType<typeof ConcertReference>;
