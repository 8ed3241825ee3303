import { entityRef } from '@stagelives/schema';

/** A user owned by the users subgraph: the actor of an audit entry. */
export const { Ref: UserReference, referenceResolver: userReferenceResolver } = entityRef('User');
export type UserReference = InstanceType<typeof UserReference>;
