import { requireSelfOrAdmin } from '@stagelives/platform/subgraph';
import type { Identity } from '@stagelives/schema';
import type { ScheduledNotificationRepository } from './scheduled-notification.repository.js';
import type { NotificationOutcomeDocument, ScheduledNotificationDocument } from './scheduled-notification.type.js';

/** A reminder with what became of it (none: PENDING). */
export interface ReminderView {
  reminder: ScheduledNotificationDocument;
  outcome: NotificationOutcomeDocument | null;
}

/** Reminders read per user (the latest by fire time); finished ones shown at most. */
export const SCHEDULED_READ_LIMIT = 500;
const FINISHED_SHOWN = 50;

/** A user's reminders, as the user (or an admin) sees them. */
export class ScheduledNotificationService {
  constructor(private readonly repository: ScheduledNotificationRepository) {}

  /**
   * PENDING reminders first, soonest first; then the most recently finished (SENT, FAILED,
   * CANCELLED), newest first, at most FINISHED_SHOWN.
   */
  async listForUser(viewer: Identity, userId: string): Promise<ReminderView[]> {
    requireSelfOrAdmin(viewer, userId, 'Only you can see your notifications.');
    const reminders = await this.repository.findForUser(userId, SCHEDULED_READ_LIMIT);
    const outcomes = await this.repository.outcomesOf(reminders.map((r) => r._id));
    const views = reminders.map((reminder) => ({ reminder, outcome: outcomes.get(reminder._id.toHexString()) ?? null }));
    const pending = views
      .filter((v) => !v.outcome)
      .sort((a, b) => a.reminder.fireAt.getTime() - b.reminder.fireAt.getTime() || a.reminder._id.toHexString().localeCompare(b.reminder._id.toHexString()));
    const finished = views
      .filter((v): v is ReminderView & { outcome: NotificationOutcomeDocument } => v.outcome !== null)
      .sort((a, b) => b.outcome.at.getTime() - a.outcome.at.getTime() || b.reminder.fireAt.getTime() - a.reminder.fireAt.getTime())
      .slice(0, FINISHED_SHOWN);
    return [...pending, ...finished];
  }
}
