import { entityRef } from '@stagelives/schema';

/** A user owned by the users subgraph; this subgraph adds `notifications`, `scheduledNotifications` and `notificationPreferences`. */
export const { Ref: UserReference, referenceResolver: userReferenceResolver } = entityRef('User');
export type UserReference = InstanceType<typeof UserReference>;
