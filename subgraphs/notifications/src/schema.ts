import type { PubSub } from 'type-graphql';
import { buildFederatedSchema } from '@stagelives/schema';
import { ConcertReference, concertReferenceResolver } from './concert/concert.reference.js';
import { NotificationConnectionResolver, NotificationResolver, servedByTheRouter } from './notification/notification.resolver.js';
import { ScheduledNotificationResolver } from './scheduled-notification/scheduled-notification.resolver.js';
import { SettingsResolver } from './settings/settings.resolver.js';
import { UserNotificationPreferencesResolver } from './user/user-notification-preferences.resolver.js';
import { UserNotificationsResolver } from './user/user-notifications.resolver.js';
import { UserScheduledNotificationsResolver } from './user/user-scheduled-notifications.resolver.js';
import { UserReference, userReferenceResolver } from './user/user.reference.js';

/** type-graphql wants a pubSub for a `@Subscription`; the router serves `notificationAdded`, so this one only refuses (as chat's). */
const routerServesSubscriptions: PubSub = { publish: servedByTheRouter, subscribe: servedByTheRouter };

/**
 * The notifications subgraph schema. It has no query of its own: its fields hang off `User`
 * (reached through the users subgraph's `me`), so User and Concert are listed as orphaned types
 * (type-graphql keeps only what a root field reaches). Its mutations: marking notifications read
 * and the viewer's delivery settings.
 */
export function buildSchema() {
  return buildFederatedSchema(
    {
      resolvers: [
        NotificationResolver,
        NotificationConnectionResolver,
        ScheduledNotificationResolver,
        UserNotificationsResolver,
        UserScheduledNotificationsResolver,
        UserNotificationPreferencesResolver,
        SettingsResolver,
      ],
      orphanedTypes: [UserReference, ConcertReference],
      pubSub: routerServesSubscriptions,
    },
    { ...concertReferenceResolver, ...userReferenceResolver },
  );
}
