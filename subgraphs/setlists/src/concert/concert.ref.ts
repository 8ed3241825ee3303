import { entityRef } from '@stagelives/schema';

/** A concert owned by the concerts subgraph; this subgraph adds its `setlist`. */
export const { Ref: ConcertRef, referenceResolver: concertReferenceResolver } = entityRef('Concert');
export type ConcertRef = InstanceType<typeof ConcertRef>;
