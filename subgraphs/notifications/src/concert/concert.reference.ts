import { entityRef } from '@stagelives/schema';

/** A concert owned by the concerts subgraph: what a notification is about (null there once deleted). */
export const { Ref: ConcertReference, referenceResolver: concertReferenceResolver } = entityRef('Concert');
export type ConcertReference = InstanceType<typeof ConcertReference>;
