import { createSubgraphServer, isAuthenticated, type SubgraphDeps, type SubgraphServer } from '@stagelives/platform/subgraph';
import type { NotificationsContext } from './context.js';
import { NotificationRepository } from './notification/notification.repository.js';
import { NotificationService } from './notification/notification.service.js';
import { ScheduledNotificationRepository } from './scheduled-notification/scheduled-notification.repository.js';
import { ScheduledNotificationService } from './scheduled-notification/scheduled-notification.service.js';
import { buildSchema } from './schema.js';
import { ensureNotificationIndexes } from './store.js';

/**
 * Builds the notifications subgraph server (never listens). Creates the indexes of its database,
 * idempotently (TTL indexes where the server has them). Reads only its own database; scheduling
 * and sending run in the workers (workers/src/notifications).
 */
export async function createNotificationsServer(deps: SubgraphDeps): Promise<SubgraphServer> {
  const { mongo, features } = deps;
  const db = mongo.db('notifications');
  await ensureNotificationIndexes(db, { ttlIndexes: features.ttlIndexes });
  const notifications = new NotificationService(new NotificationRepository(db));
  const scheduled = new ScheduledNotificationService(new ScheduledNotificationRepository(db));

  return createSubgraphServer<NotificationsContext>({
    name: 'notifications',
    schema: await buildSchema(),
    deps,
    permissions: { Mutation: { markNotificationsRead: isAuthenticated } },
    createContext: (base) => ({ ...base, notifications, scheduled }),
  });
}
