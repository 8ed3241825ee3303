import { ensureIndexes, expiryIndex, findByIds } from '@stagelives/platform';
import type { Collection, Db, Filter, ObjectId } from 'mongodb';
import { reminderExpiry, type PlannedReminder, type ReminderOutcomeStatus } from '../reminder/reminder.rules.js';
import { insertNew } from '../store/mongo-bulk.js';
import type { NotificationOutcomeDocument, ScheduledNotificationDocument } from './scheduled-notification.type.js';

export const SCHEDULED_NOTIFICATIONS_COLLECTION = 'scheduled_notifications';
export const NOTIFICATION_OUTCOMES_COLLECTION = 'notification_outcomes';

/** An outcome to record: which reminder, and what became of it. */
export interface OutcomeInput {
  reminder: Pick<ScheduledNotificationDocument, '_id' | 'userId' | 'concertId' | 'fireAt' | 'eventAt'>;
  status: ReminderOutcomeStatus;
  reason: string | null;
}

/**
 * Reminders (`scheduled_notifications`, written once) and what became of them
 * (`notification_outcomes`, one insert per reminder). Every state change is an insert: on
 * FerretDB 1.24 an update or delete scans the whole collection for each document it touches
 * (measured: ~100 ms per `updateOne` by `_id` at 20,000 documents), an insert does not, and a
 * unique insert is the one write it applies atomically.
 */
export class ScheduledNotificationRepository {
  readonly reminders: Collection<ScheduledNotificationDocument>;
  readonly outcomes: Collection<NotificationOutcomeDocument>;

  constructor(db: Db) {
    this.reminders = db.collection<ScheduledNotificationDocument>(SCHEDULED_NOTIFICATIONS_COLLECTION);
    this.outcomes = db.collection<NotificationOutcomeDocument>(NOTIFICATION_OUTCOMES_COLLECTION);
  }

  /** Idempotent. `ttl`: the server has TTL indexes (MongoDB), which then prune by `expireAt` too. */
  async ensureIndexes(ttl: boolean): Promise<void> {
    const expiry = expiryIndex(ttl);
    await ensureIndexes(this.reminders, [
      { key: { userId: 1, fireAt: -1 }, name: 'user_fireAt' },
      { key: { concertId: 1, userId: 1 }, name: 'concert_user' },
      expiry,
    ]);
    await ensureIndexes(this.outcomes, [{ key: { userId: 1 }, name: 'userId' }, expiry]);
  }

  /** Inserts the reminders not stored yet; returns the hex ids this call inserted. */
  async insert(planned: readonly PlannedReminder[], now = new Date()): Promise<Set<string>> {
    const docs: ScheduledNotificationDocument[] = planned.map((r) => ({
      _id: r._id,
      userId: r.userId,
      concertId: r.concertId,
      kind: r.kind,
      fireAt: r.fireAt,
      eventAt: r.eventAt,
      title: r.title,
      createdAt: now,
      expireAt: reminderExpiry(r),
    }));
    const inserted = await insertNew(this.reminders, docs);
    return new Set([...inserted].map((i) => docs[i]!._id.toHexString()));
  }

  findByIds(ids: readonly ObjectId[]): Promise<ScheduledNotificationDocument[]> {
    return findByIds(this.reminders, ids);
  }

  /** A user's reminders, latest fire time first. */
  findForUser(userId: string, limit: number): Promise<ScheduledNotificationDocument[]> {
    return this.reminders
      .find({ userId: { $eq: userId } })
      .sort({ fireAt: -1, _id: -1 })
      .limit(limit)
      .toArray();
  }

  /** Every reminder of a user. */
  findByUser(userId: string): Promise<ScheduledNotificationDocument[]> {
    return this.reminders.find({ userId: { $eq: userId } }).toArray();
  }

  /** The reminders of these concerts. */
  async findByConcertIds(concertIds: readonly string[]): Promise<ScheduledNotificationDocument[]> {
    if (concertIds.length === 0) return [];
    return this.reminders.find({ concertId: { $in: [...new Set(concertIds)] } }).toArray();
  }

  /** The reminders of these (concert, user) pairs, in one query. */
  async findForPairs(pairs: ReadonlyArray<{ concertId: string; userId: string }>): Promise<ScheduledNotificationDocument[]> {
    const byConcert = new Map<string, Set<string>>();
    for (const { concertId, userId } of pairs) byConcert.set(concertId, (byConcert.get(concertId) ?? new Set()).add(userId));
    if (byConcert.size === 0) return [];
    const or: Filter<ScheduledNotificationDocument>[] = [...byConcert].map(([concertId, users]) => ({
      concertId: { $eq: concertId },
      userId: { $in: [...users] },
    }));
    return this.reminders.find(or.length === 1 ? or[0]! : { $or: or }).toArray();
  }

  /** Outcomes by reminder id (hex → outcome); reminders without one are PENDING. */
  async outcomesOf(ids: readonly ObjectId[]): Promise<Map<string, NotificationOutcomeDocument>> {
    const docs = await findByIds(this.outcomes, ids);
    return new Map(docs.map((d) => [d._id.toHexString(), d]));
  }

  /**
   * Records outcomes; a reminder that has one already keeps it (first decision wins). Returns the
   * hex ids whose outcome this call recorded.
   */
  async decide(outcomes: readonly OutcomeInput[], now = new Date()): Promise<Set<string>> {
    const docs: NotificationOutcomeDocument[] = outcomes.map(({ reminder, status, reason }) => ({
      _id: reminder._id,
      userId: reminder.userId,
      concertId: reminder.concertId,
      status,
      reason,
      at: now,
      expireAt: reminderExpiry(reminder),
    }));
    const inserted = await insertNew(this.outcomes, docs);
    return new Set([...inserted].map((i) => docs[i]!._id.toHexString()));
  }

  /**
   * Makes CANCELLED reminders PENDING again (a fan liked again, a preference came back with the
   * same lead time): deletes their outcome. Rare, so the delete's cost on FerretDB is fine.
   */
  async reopen(ids: readonly ObjectId[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { deletedCount } = await this.outcomes.deleteMany({ _id: { $in: [...ids] }, status: { $eq: 'CANCELLED' } });
    return deletedCount;
  }

  /** Every reminder, streamed (reconciliation). */
  scanReminders(projection?: Partial<Record<keyof ScheduledNotificationDocument, 1>>) {
    return this.reminders.find({}, { projection, batchSize: 2000 });
  }

  /** Every outcome's id, status and time, streamed (reconciliation). */
  scanOutcomes() {
    return this.outcomes.find({}, { projection: { _id: 1, status: 1, at: 1 }, batchSize: 2000 });
  }

  /** Account deletion: the user's reminders and outcomes. */
  async deleteByUser(userId: string): Promise<number> {
    const { deletedCount } = await this.reminders.deleteMany({ userId: { $eq: userId } });
    await this.outcomes.deleteMany({ userId: { $eq: userId } });
    return deletedCount;
  }

  /** Deletes what expired (finished reminders and their outcomes); returns how many reminders. */
  async pruneExpired(now = new Date()): Promise<number> {
    const { deletedCount } = await this.reminders.deleteMany({ expireAt: { $lt: now } });
    await this.outcomes.deleteMany({ expireAt: { $lt: now } });
    return deletedCount;
  }
}
