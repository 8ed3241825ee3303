import type { BaseContext } from '@stagelives/platform/subgraph';
import type { NotificationService } from './notification/notification.service.js';
import type { ScheduledNotificationService } from './scheduled-notification/scheduled-notification.service.js';
import type { createPreferencesLoader } from './settings/settings.loader.js';
import type { SettingsService } from './settings/settings.service.js';

export interface NotificationsContext extends BaseContext {
  notifications: NotificationService;
  scheduled: ScheduledNotificationService;
  settings: SettingsService;
  loaders: {
    /** Stored notification preferences by user id; null when the user never saved any. */
    preferences: ReturnType<typeof createPreferencesLoader>;
  };
}
