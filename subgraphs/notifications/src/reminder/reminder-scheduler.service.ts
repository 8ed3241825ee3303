import type { Logger } from '@stagelives/platform';
import type { ConcertSource, ConcertUserPair } from '../concert/concert-source.js';
import type { NotificationStore } from '../store/notification-store.js';
import type { ScheduledNotificationDocument } from '../scheduled-notification/scheduled-notification.type.js';
import type { QueueableReminder, ReminderJobs } from './reminder-jobs.js';
import {
  NotificationKind,
  ReminderStatus,
  planCancellationNotice,
  planReminders,
  verdictFor,
  type PlannedReminder,
  type ReminderReason,
} from './reminder.rules.js';

type Pair = ConcertUserPair;

const pairKey = (p: Pair) => `${p.concertId}:${p.userId}`;

export interface SyncResult {
  /** Reminders stored for the first time. */
  scheduled: number;
  /** CANCELLED reminders made PENDING again (liked again, preference back on). */
  reopened: number;
  /** PENDING reminders cancelled (with their reason). */
  cancelled: number;
  /** Jobs handed to BullMQ (existing job ids are no-ops there). */
  queued: number;
}

const emptyResult = (): SyncResult => ({ scheduled: 0, reopened: 0, cancelled: 0, queued: 0 });
const addResults = (a: SyncResult, b: SyncResult): SyncResult => ({
  scheduled: a.scheduled + b.scheduled,
  reopened: a.reopened + b.reopened,
  cancelled: a.cancelled + b.cancelled,
  queued: a.queued + b.queued,
});

export interface ReminderSchedulerDeps {
  store: NotificationStore;
  /** The concerts domain's likes and dates (the workers pass `@stagelives/concerts/reminder-source`). */
  source: ConcertSource;
  /** The reminders' delayed jobs (the workers' BullMQ send queue). */
  jobs: ReminderJobs;
  logger: Logger;
  clock?: () => Date;
}

/** Pairs per sync round (one query per kind of fact). */
const SYNC_CHUNK = 1000;
/** Reminders per insert (and per hand-over to the jobs) in bulk scheduling. */
const SCHEDULE_CHUNK = 1000;

/**
 * Turns what is true (likes, preferences, concert dates, from their owners) into reminder
 * documents and delayed BullMQ jobs, and takes back what is no longer wanted.
 *
 * Every operation reads the current facts instead of trusting the event that triggered it, so
 * it is idempotent and order-independent: a replayed or late event changes nothing, and the
 * reconciliation job calls the same code. Ids are deterministic (`reminderIdOf`,
 * `reminderJobId`): storing or queueing a reminder twice stores and queues it once.
 */
export class ReminderScheduler {
  private readonly clock: () => Date;

  constructor(private readonly deps: ReminderSchedulerDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Bulk scheduling: stores the reminders and queues their jobs, no questions asked (the caller
   * planned them, e.g. with `planReminders`). Idempotent. This is what a benchmark measures:
   * one unordered insert and one `addBulk` per 1,000 reminders.
   */
  async schedule(planned: readonly PlannedReminder[], { parallel = 4 } = {}): Promise<{ inserted: number; queued: number }> {
    const now = this.clock();
    let inserted = 0;
    let next = 0;
    // Chunks of 1,000 reminders, `parallel` at a time: the inserts (one SQLite writer on FerretDB)
    // and the addBulk calls (Redis) of different chunks overlap.
    const lane = async () => {
      for (;;) {
        const start = next;
        next += SCHEDULE_CHUNK;
        if (start >= planned.length) return;
        const chunk = planned.slice(start, start + SCHEDULE_CHUNK);
        const [stored] = await Promise.all([this.deps.store.reminders.insert(chunk, now), this.enqueue(chunk, now)]);
        inserted += stored.size;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, parallel) }, lane));
    return { inserted, queued: planned.length };
  }

  /** Queues the jobs of these reminders (an existing job id is left as it is). */
  async enqueue(reminders: readonly QueueableReminder[], now = this.clock()): Promise<number> {
    await this.deps.jobs.enqueue(reminders, now);
    return reminders.length;
  }

  /** Removes the delayed jobs of cancelled reminders (best effort: a job that still runs finds the outcome). */
  async removeJobs(reminders: ReadonlyArray<Pick<ScheduledNotificationDocument, '_id' | 'kind' | 'fireAt'>>): Promise<void> {
    await this.deps.jobs.remove(reminders);
  }

  /**
   * Brings the reminders of these (concert, fan) pairs in line with the facts: schedules what
   * should exist, reopens what was cancelled but is wanted again, cancels PENDING reminders that
   * are no longer wanted (with the reason), and keeps the fan records. `liked`: the pairs known
   * to be liked (`<concertId>:<userId>`), when the caller just read them.
   */
  async syncPairs(pairs: readonly Pair[], known: { liked?: ReadonlySet<string> } = {}): Promise<SyncResult> {
    const unique = [...new Map(pairs.map((p) => [pairKey(p), p])).values()];
    let result = emptyResult();
    for (let i = 0; i < unique.length; i += SYNC_CHUNK) result = addResults(result, await this.syncChunk(unique.slice(i, i + SYNC_CHUNK), known.liked));
    return result;
  }

  private async syncChunk(pairs: readonly Pair[], knownLiked: ReadonlySet<string> | undefined): Promise<SyncResult> {
    const { store, source } = this.deps;
    const now = this.clock();
    const users = [...new Set(pairs.map((p) => p.userId))];
    const [concerts, liked, preferences, deleted, existing] = await Promise.all([
      source.concertsByIds(pairs.map((p) => p.concertId)),
      knownLiked ? Promise.resolve(knownLiked) : source.likedAmong(pairs),
      store.settings.preferencesOf(users),
      store.settings.deletedAmong(users),
      store.reminders.findForPairs(pairs),
    ]);
    const factsOf = (p: Pair) => ({
      concert: concerts.get(p.concertId) ?? null,
      liked: liked.has(pairKey(p)),
      preferences: preferences.get(p.userId)!,
      userDeleted: deleted.has(p.userId),
    });

    const desired = pairs.flatMap((p) => {
      const facts = factsOf(p);
      return facts.userDeleted || !facts.liked ? [] : planReminders(p.userId, facts.concert, facts.preferences, now);
    });
    const stored = new Map(existing.map((r) => [r._id.toHexString(), r]));
    const outcomes = await store.reminders.outcomesOf(existing.map((r) => r._id));
    const wanted = new Set(desired.map((r) => r._id.toHexString()));

    const toInsert = desired.filter((r) => !stored.has(r._id.toHexString()));
    const toReopen = desired.filter((r) => outcomes.get(r._id.toHexString())?.status === ReminderStatus.CANCELLED);
    const toQueue = desired.filter((r) => {
      const outcome = outcomes.get(r._id.toHexString());
      return !outcome || outcome.status === ReminderStatus.CANCELLED;
    });
    const toCancel: Array<{ reminder: ScheduledNotificationDocument; reason: ReminderReason }> = [];
    for (const reminder of existing) {
      const id = reminder._id.toHexString();
      if (reminder.kind === NotificationKind.CONCERT_CANCELLED || outcomes.has(id) || wanted.has(id)) continue;
      const verdict = verdictFor(reminder, factsOf(reminder), now);
      // A wanted reminder whose event passed is the send worker's to mark missed.
      if (verdict.action === 'cancel') toCancel.push({ reminder, reason: verdict.reason });
    }

    await store.reminders.insert(toInsert, now);
    const reopened = await store.reminders.reopen(toReopen.map((r) => r._id));
    const cancelled = await store.reminders.decide(
      toCancel.map(({ reminder, reason }) => ({ reminder, status: ReminderStatus.CANCELLED, reason })),
      now,
    );
    await this.enqueue(toQueue, now);
    await this.removeJobs(toCancel.filter(({ reminder }) => cancelled.has(reminder._id.toHexString())).map(({ reminder }) => reminder));

    const fans = pairs.filter((p) => liked.has(pairKey(p)) && concerts.has(p.concertId));
    const gone = pairs.filter((p) => !liked.has(pairKey(p)));
    await store.fans.add(
      fans.map((p) => ({ ...p, title: concerts.get(p.concertId)!.title, eventAt: concerts.get(p.concertId)!.startsAt })),
      now,
    );
    if (gone.length) await store.fans.remove(gone);
    return { scheduled: toInsert.length, reopened, cancelled: cancelled.size, queued: toQueue.length };
  }

  /** A concert's dates changed: every fan's reminders follow (and those of reminders whose fan is gone). */
  async syncConcert(concertId: string): Promise<SyncResult> {
    const [fans, reminders] = await Promise.all([this.deps.source.fansOf([concertId]), this.deps.store.reminders.findByConcertIds([concertId])]);
    const liked = new Set([...(fans.get(concertId) ?? [])].map((userId) => pairKey({ concertId, userId })));
    const pairs = [...[...(fans.get(concertId) ?? [])].map((userId) => ({ concertId, userId })), ...reminders.map((r) => ({ concertId, userId: r.userId }))];
    return this.syncPairs(pairs, { liked });
  }

  /**
   * A concert was cancelled or deleted: its PENDING reminders are cancelled (reason
   * `concert-cancelled` / `concert-deleted`) and every fan gets one "cancelled" notice, due at
   * once. Fans are the likes (still there for a cancelled concert), the fans this domain
   * recorded (a deleted concert's likes are gone) and anyone with a reminder of it. A concert
   * that exists and is not cancelled only gets its reminders synced.
   */
  async cancelConcert(concertId: string): Promise<SyncResult & { notices: number }> {
    const { store, source } = this.deps;
    const concert = (await source.concertsByIds([concertId])).get(concertId) ?? null;
    if (concert && concert.status !== 'CANCELLED') return { ...(await this.syncConcert(concertId)), notices: 0 };
    const [likes, recorded, reminders] = await Promise.all([
      source.fansOf([concertId]),
      store.fans.fansOf(concertId),
      store.reminders.findByConcertIds([concertId]),
    ]);
    const fans = new Set([
      ...(likes.get(concertId) ?? []),
      ...recorded.map((f) => f.userId),
      ...reminders.filter((r) => r.kind !== NotificationKind.CONCERT_CANCELLED).map((r) => r.userId),
    ]);
    const title = concert?.title ?? recorded[0]?.title ?? reminders[0]?.title ?? 'A concert you liked';
    const synced = await this.syncPairs([...fans].map((userId) => ({ concertId, userId })));

    const now = this.clock();
    const deleted = await store.settings.deletedAmong([...fans]);
    const notices = [...fans].filter((u) => !deleted.has(u)).map((userId) => planCancellationNotice(userId, concertId, title, now));
    await store.reminders.insert(notices, now);
    const decided = await store.reminders.outcomesOf(notices.map((n) => n._id));
    const due = notices.filter((n) => !decided.has(n._id.toHexString()));
    await this.enqueue(due, now);
    return { ...synced, queued: synced.queued + due.length, notices: due.length };
  }

  /** A user's preferences changed: every reminder of theirs follows. */
  async syncUser(userId: string): Promise<SyncResult> {
    const { store, source } = this.deps;
    const [likes, reminders] = await Promise.all([source.likesOfUser(userId), store.reminders.findByUser(userId)]);
    const liked = new Set(likes.map((l) => pairKey(l)));
    const pairs = [
      ...likes.map((l) => ({ concertId: l.concertId, userId })),
      ...reminders.filter((r) => r.kind !== NotificationKind.CONCERT_CANCELLED).map((r) => ({ concertId: r.concertId, userId })),
    ];
    return this.syncPairs(pairs, { liked });
  }

  /**
   * An account was deleted: marks it (scheduling and sending skip it from now on), cancels its
   * PENDING reminders and removes their jobs, then deletes its reminders, history and fan records.
   */
  async forgetUser(userId: string): Promise<{ cancelled: number; deleted: number }> {
    const { store } = this.deps;
    const now = this.clock();
    await store.settings.markDeleted(userId, now);
    const reminders = await store.reminders.findByUser(userId);
    const outcomes = await store.reminders.outcomesOf(reminders.map((r) => r._id));
    const pending = reminders.filter((r) => !outcomes.has(r._id.toHexString()));
    const cancelled = await store.reminders.decide(
      pending.map((reminder) => ({ reminder, status: ReminderStatus.CANCELLED, reason: 'account-deleted' })),
      now,
    );
    await this.removeJobs(pending);
    const deleted = await store.reminders.deleteByUser(userId);
    await store.notifications.deleteByUser(userId);
    await store.fans.deleteByUser(userId);
    await store.ledger.deleteByUser(userId);
    return { cancelled: cancelled.size, deleted };
  }
}
