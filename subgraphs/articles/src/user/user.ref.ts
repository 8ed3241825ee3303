import { entityRef } from '@stagelives/schema';

/** A user owned by the users subgraph; this subgraph adds `bookmarkedArticles`. */
export const { Ref: UserRef, referenceResolver: userReferenceResolver } = entityRef('User');
export type UserRef = InstanceType<typeof UserRef>;
