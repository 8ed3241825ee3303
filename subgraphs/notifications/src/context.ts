import type { BaseContext } from '@stagelives/platform/subgraph';
import type { NotificationService } from './notification/notification.service.js';
import type { ScheduledNotificationService } from './scheduled-notification/scheduled-notification.service.js';

export interface NotificationsContext extends BaseContext {
  notifications: NotificationService;
  scheduled: ScheduledNotificationService;
}
