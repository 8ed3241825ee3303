import { entityRef } from '@stagelives/schema';

/** A user owned by the users subgraph (authors of messages); a deleted account resolves there as a deleted user. */
export const { Ref: UserReference, referenceResolver: userReferenceResolver } = entityRef('User');
export type UserReference = InstanceType<typeof UserReference>;
