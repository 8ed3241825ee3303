import type { Db } from 'mongodb';
import { PushLedgerRepository, ledgerDatabase } from '../delivery/push-ledger.repository.js';
import { ConcertFanRepository } from '../fan/concert-fan.repository.js';
import { NotificationRepository } from '../notification/notification.repository.js';
import { ScheduledNotificationRepository } from '../scheduled-notification/scheduled-notification.repository.js';
import { SettingsRepository } from '../settings/settings.repository.js';

/** Every collection of the notifications database, through its repository. */
export interface NotificationStore {
  reminders: ScheduledNotificationRepository;
  notifications: NotificationRepository;
  ledger: PushLedgerRepository;
  fans: ConcertFanRepository;
  settings: SettingsRepository;
}

/** The repositories over the notifications database (`mongo.db('notifications')`); the push ledger lives beside it (`ledgerDatabase`). */
export function notificationStore(db: Db): NotificationStore {
  return {
    reminders: new ScheduledNotificationRepository(db),
    notifications: new NotificationRepository(db),
    ledger: new PushLedgerRepository(ledgerDatabase(db)),
    fans: new ConcertFanRepository(db),
    settings: new SettingsRepository(db),
  };
}

/**
 * Creates the indexes of the notifications database, idempotently (one per command, as FerretDB
 * needs). With `ttlIndexes` (MongoDB) expired documents are also removed by the server; FerretDB
 * has no TTL indexes, so the prune job deletes them (it runs on MongoDB too, harmlessly).
 */
export async function ensureNotificationIndexes(db: Db, { ttlIndexes }: { ttlIndexes: boolean }): Promise<void> {
  const store = notificationStore(db);
  await store.reminders.ensureIndexes(ttlIndexes);
  await store.notifications.ensureIndexes(ttlIndexes);
  await store.ledger.ensureIndexes(ttlIndexes);
  await store.fans.ensureIndexes();
  await store.settings.ensureIndexes();
}
