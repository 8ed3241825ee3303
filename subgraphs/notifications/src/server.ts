import { createSubgraphServer, isAuthenticated, type SubgraphDeps, type SubgraphServer } from '@stagelives/platform/subgraph';
import type { NotificationsContext } from './context.js';
import { NotificationRepository } from './notification/notification.repository.js';
import { NotificationService } from './notification/notification.service.js';
import { ScheduledNotificationRepository } from './scheduled-notification/scheduled-notification.repository.js';
import { ScheduledNotificationService } from './scheduled-notification/scheduled-notification.service.js';
import { buildSchema } from './schema.js';
import { SettingsEvents } from './settings/settings-events.js';
import { createPreferencesLoader } from './settings/settings.loader.js';
import { SettingsRepository } from './settings/settings.repository.js';
import { SettingsService } from './settings/settings.service.js';
import { startUserDeletedConsumer } from './settings/user-deleted.consumer.js';
import { ensureNotificationIndexes } from './store/notification-store.js';

/**
 * Builds the notifications subgraph server (never listens). Creates the indexes of its database,
 * idempotently (TTL indexes where the server has them). Reads only its own database; owns the
 * viewer's delivery settings (device tokens, preferences). Scheduling, sending and upkeep are
 * this package's too (reminder/, delivery/, upkeep/, exported as `./store`), run by the workers
 * process (workers/src/notifications).
 */
export async function createNotificationsServer(deps: SubgraphDeps): Promise<SubgraphServer> {
  const { config, mongo, redis, features, logger } = deps;
  const db = mongo.db('notifications');
  await ensureNotificationIndexes(db, { ttlIndexes: features.ttlIndexes });
  const notifications = new NotificationService(new NotificationRepository(db));
  const scheduled = new ScheduledNotificationService(new ScheduledNotificationRepository(db));
  const settingsRepo = new SettingsRepository(db);
  const settings = new SettingsService(settingsRepo, new SettingsEvents(redis, config.REDIS_PREFIX, logger));
  // A deleted account's devices and preferences go (the users domain announces the deletion).
  const userDeleted = startUserDeletedConsumer({ redis, redisPrefix: config.REDIS_PREFIX, settings: settingsRepo, logger });

  const server = await createSubgraphServer<NotificationsContext>({
    name: 'notifications',
    schema: await buildSchema(),
    deps,
    permissions: {
      Mutation: {
        markNotificationsRead: isAuthenticated,
        registerDevice: isAuthenticated,
        unregisterDevice: isAuthenticated,
        updateNotificationPreferences: isAuthenticated,
      },
    },
    createContext: (base) => ({ ...base, notifications, scheduled, settings, loaders: { preferences: createPreferencesLoader(settingsRepo) } }),
  });
  return {
    httpServer: server.httpServer,
    listen: (port, host) => server.listen(port, host),
    close: async () => {
      await server.close();
      await userDeleted.stop();
    },
  };
}
