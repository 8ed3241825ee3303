import type { NotificationStore } from '../store/notification-store.js';

export interface PruneResult {
  reminders: number;
  notifications: number;
  ledger: number;
  fans: number;
}

/**
 * Deletes what expired: finished reminders and their outcomes (30 days after their event), in-app
 * notifications and their read marks (90 days), ledger entries (7 days), fans of past concerts.
 * FerretDB has no TTL indexes; on MongoDB TTL indexes do the same and this finds little.
 */
export async function pruneNotifications(store: NotificationStore, now = new Date()): Promise<PruneResult> {
  return {
    reminders: await store.reminders.pruneExpired(now),
    notifications: await store.notifications.pruneExpired(now),
    ledger: await store.ledger.pruneExpired(now),
    fans: await store.fans.pruneExpired(now),
  };
}
