import { PUBLIC_MAX_AGE_SECONDS, entityRef } from '@stagelives/schema';

/** A user owned by the users subgraph; this subgraph adds `bookmarkedArticles` (UserBookmarkedArticlesResolver). */
export const { Ref: UserReference, referenceResolver: userReferenceResolver } = entityRef('User', { cacheMaxAge: PUBLIC_MAX_AGE_SECONDS });
export type UserReference = InstanceType<typeof UserReference>;
