// `@stagelives/notifications/store`: the write side of this domain, for the workers process
// (workers/src/notifications), which only schedules and dispatches (BullMQ queues and workers,
// the push transport) and calls in here for every decision: the repositories and the index set,
// the pure reminder rules, the services that schedule, reconcile, re-check and send reminders and
// prune what expired, and the ports they need from outside (the concerts domain's likes and
// dates, the reminders' jobs, the push transport). Nothing that builds the GraphQL schema or the server.
export * from './reminder/reminder.rules.js';
export { insertNew } from './store/mongo-bulk.js';
export { ensureNotificationIndexes, notificationStore, type NotificationStore } from './store/notification-store.js';
export {
  ScheduledNotificationRepository,
  SCHEDULED_NOTIFICATIONS_COLLECTION,
  NOTIFICATION_OUTCOMES_COLLECTION,
  type OutcomeInput,
} from './scheduled-notification/scheduled-notification.repository.js';
export type { ScheduledNotificationDocument, NotificationOutcomeDocument } from './scheduled-notification/scheduled-notification.type.js';
export { NotificationRepository, NOTIFICATIONS_COLLECTION, NOTIFICATION_READS_COLLECTION } from './notification/notification.repository.js';
export type { NotificationDocument, NotificationReadDocument } from './notification/notification.type.js';
export {
  PushLedgerRepository,
  ledgerDatabase,
  ledgerKey,
  PUSH_CLAIMS_COLLECTION,
  PUSH_RECEIPTS_COLLECTION,
  type PushClaimDocument,
  type PushReceiptDocument,
  type PushReceiptResult,
} from './delivery/push-ledger.repository.js';
export { ConcertFanRepository, concertFanKey, CONCERT_FANS_COLLECTION, type ConcertFanDocument } from './fan/concert-fan.repository.js';
export {
  SettingsRepository,
  DEVICE_TOKENS_COLLECTION,
  NOTIFICATION_PREFERENCES_COLLECTION,
  DELETED_USERS_COLLECTION,
  type DeviceTokenDocument,
  type PreferencesDocument,
  type DeletedUserDocument,
} from './settings/settings.repository.js';

// Ports: what the services need from outside this domain.
export type { ConcertSource } from './concert/concert-source.js';
export type { DueReminder, QueueableReminder, ReminderJobs } from './reminder/reminder-jobs.js';
export type { PushFailed, PushFailureKind, PushMessage, PushResult, PushTransport } from './delivery/push-transport.js';

// Services: scheduling (events, bulk), sending, upkeep.
export { ReminderScheduler, type SyncResult } from './reminder/reminder-scheduler.service.js';
export { startEventConsumers } from './reminder/reminder-events.consumer.js';
export { ReminderDispatcher, type DispatchJob, type DispatchResult } from './delivery/reminder-dispatcher.service.js';
export { FactsCache, type FactsRequest } from './delivery/facts-cache.js';
export { streamLikeChanges } from './delivery/like-changes.js';
export { reconcileReminders, type ReconcileResult } from './upkeep/reconcile.service.js';
export { pruneNotifications, type PruneResult } from './upkeep/prune.service.js';
