import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import type { Redis } from '@stagelives/platform';
import type { ConcertSource } from '../concert/concert-source.js';
import type { ReminderJobs } from '../reminder/reminder-jobs.js';
import type { ReminderScheduler } from '../reminder/reminder-scheduler.service.js';
import { NotificationKind, ReminderStatus, planReminders, verdictFor, type PlannedReminder, type ReminderConcertFacts } from '../reminder/reminder.rules.js';
import type { ScheduledNotificationDocument } from '../scheduled-notification/scheduled-notification.type.js';
import type { NotificationStore } from '../store/notification-store.js';

export interface ReconcileDeps {
  store: NotificationStore;
  source: ConcertSource;
  scheduler: ReminderScheduler;
  /** The reminders' delayed jobs: which ones Redis lost. */
  jobs: ReminderJobs;
  redis: Redis;
  redisPrefix: string;
  now?: Date;
}

export interface ReconcileResult {
  /** Another run held the lock: this one did nothing. */
  skipped: boolean;
  /** Likes of upcoming concerts read. */
  likes: number;
  /** Reminders that should have existed and were stored. */
  scheduled: number;
  /** CANCELLED reminders wanted again. */
  reopened: number;
  /** PENDING reminders no longer wanted, cancelled. */
  cancelled: number;
  /** PENDING reminders whose BullMQ job was missing (Redis lost it), queued again. */
  requeued: number;
  /** Reminders decided SENT whose sending never finished (no in-app notification), queued again. */
  resumed: number;
  fansAdded: number;
  fansRemoved: number;
}

/** Longest a run may hold the lock; a crashed run frees it after this. */
const RECONCILE_LOCK_TTL_MS = 10 * 60_000;
const reconcileLockKey = (redisPrefix: string) => `${redisPrefix}lock:notifications-reconcile`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** How far back a SENT decision without its in-app notification is looked for. */
const RESUME_WINDOW_MS = 24 * 3600_000;

const key = (concertId: string, userId: string) => `${concertId}:${userId}`;

/**
 * Rebuilds what should be scheduled from the likes themselves and fixes any difference. Events
 * can be lost between a database write and its event (no transactions on FerretDB), and Redis
 * can lose its data; this run does not depend on either:
 *
 * 1. every like of every upcoming, not cancelled concert, with the fan's preferences → the
 *    reminders that should exist; missing ones are stored and queued, CANCELLED ones reopened;
 * 2. PENDING reminders that are no longer wanted are cancelled, with their reason (those whose
 *    event passed are left to the send worker, which marks them `missed`);
 * 3. PENDING reminders with no BullMQ job are queued again, and so are reminders decided SENT
 *    whose in-app notification was never written (their worker died in between);
 * 4. the fan records of upcoming concerts follow the likes.
 *
 * Runs are serialised by a Redis lock; everything it writes is idempotent anyway.
 */
export async function reconcileReminders({ store, source, scheduler, jobs, redis, redisPrefix, now = new Date() }: ReconcileDeps): Promise<ReconcileResult> {
  const result: ReconcileResult = { skipped: false, likes: 0, scheduled: 0, reopened: 0, cancelled: 0, requeued: 0, resumed: 0, fansAdded: 0, fansRemoved: 0 };
  const lock = reconcileLockKey(redisPrefix);
  const holder = randomUUID();
  if ((await redis.set(lock, holder, 'PX', RECONCILE_LOCK_TTL_MS, 'NX')) !== 'OK') return { ...result, skipped: true };
  try {
    // 1. What should exist: the likes of upcoming concerts, with the fans' preferences.
    const concerts = new Map<string, ReminderConcertFacts>();
    for await (const page of source.upcomingConcerts(now)) for (const c of page) concerts.set(c.id, c);
    const liked = new Set<string>();
    const likes: Array<{ concertId: string; userId: string }> = [];
    for await (const batch of source.likesOfConcerts(concerts.keys())) {
      for (const like of batch) {
        liked.add(key(like.concertId, like.userId));
        likes.push(like);
      }
    }
    result.likes = likes.length;

    const [reminders, outcomes] = await Promise.all([
      (async () => {
        const all = new Map<string, ScheduledNotificationDocument>();
        for await (const doc of store.reminders.scanReminders()) all.set(doc._id.toHexString(), doc);
        return all;
      })(),
      (async () => {
        const all = new Map<string, { status: string; at: Date }>();
        for await (const doc of store.reminders.scanOutcomes()) all.set(doc._id.toHexString(), { status: doc.status, at: doc.at });
        return all;
      })(),
    ]);
    const pending = [...reminders.values()].filter((r) => !outcomes.has(r._id.toHexString()));

    const users = [...new Set([...likes.map((l) => l.userId), ...pending.map((r) => r.userId)])];
    const [preferences, deleted] = await Promise.all([store.settings.preferencesOf(users), store.settings.deletedAmong(users)]);
    const desired = new Map<string, PlannedReminder>();
    for (const { concertId, userId } of likes) {
      if (deleted.has(userId)) continue;
      for (const r of planReminders(userId, concerts.get(concertId)!, preferences.get(userId)!, now)) desired.set(r._id.toHexString(), r);
    }

    const toInsert = [...desired.values()].filter((r) => !reminders.has(r._id.toHexString()));
    const toReopen = [...desired.values()].filter((r) => outcomes.get(r._id.toHexString())?.status === ReminderStatus.CANCELLED);
    await store.reminders.insert(toInsert, now);
    result.scheduled = toInsert.length;
    result.reopened = await store.reminders.reopen(toReopen.map((r) => r._id));
    await scheduler.enqueue([...toInsert, ...toReopen], now);

    // 2. PENDING reminders no longer wanted. Those whose event passed are the send worker's (it
    // re-checks them and marks them `missed` when still wanted); the likes of concerts that are
    // not upcoming (cancelled, deleted, moved into the past) are read for the rest.
    const open = pending.filter(
      (r) => r.kind !== NotificationKind.CONCERT_CANCELLED && !desired.has(r._id.toHexString()) && (r.eventAt?.getTime() ?? 0) > now.getTime(),
    );
    const elsewhere = open.filter((r) => !concerts.has(r.concertId));
    const [otherConcerts, otherLikes] = elsewhere.length
      ? await Promise.all([source.concertsByIds(elsewhere.map((r) => r.concertId)), source.likedAmong(elsewhere)])
      : [new Map<string, ReminderConcertFacts>(), new Set<string>()];
    const cancels = [];
    for (const reminder of open) {
      const verdict = verdictFor(
        reminder,
        {
          concert: concerts.get(reminder.concertId) ?? otherConcerts.get(reminder.concertId) ?? null,
          liked: liked.has(key(reminder.concertId, reminder.userId)) || otherLikes.has(key(reminder.concertId, reminder.userId)),
          preferences: preferences.get(reminder.userId)!,
          userDeleted: deleted.has(reminder.userId),
        },
        now,
      );
      if (verdict.action === 'cancel') cancels.push({ reminder, status: ReminderStatus.CANCELLED, reason: verdict.reason });
    }
    const cancelled = await store.reminders.decide(cancels, now);
    result.cancelled = cancelled.size;
    await scheduler.removeJobs(cancels.filter((c) => cancelled.has(c.reminder._id.toHexString())).map((c) => c.reminder));

    // 3. Jobs Redis lost, and sends that died between their decision and their notification.
    const stillPending = pending.filter((r) => !cancelled.has(r._id.toHexString()));
    const missing = await jobs.missing(stillPending);
    await scheduler.enqueue(missing, now);
    result.requeued = missing.length;
    const sentRecently = [...outcomes]
      .filter(([, o]) => o.status === ReminderStatus.SENT && now.getTime() - o.at.getTime() < RESUME_WINDOW_MS)
      .map(([id]) => new ObjectId(id));
    if (sentRecently.length) {
      const written = await store.notifications.existing(sentRecently);
      const unfinished = sentRecently
        .map((id) => reminders.get(id.toHexString()))
        .filter((r): r is ScheduledNotificationDocument => !!r && !written.has(r._id.toHexString()));
      const unqueued = await jobs.missing(unfinished);
      await scheduler.enqueue(unqueued, now);
      result.resumed = unqueued.length;
    }

    // 4. Fan records of upcoming concerts follow the likes.
    const recorded = await store.fans.fansOfConcerts([...concerts.keys()]);
    const recordedKeys = new Set(recorded.map((f) => key(f.concertId, f.userId)));
    result.fansAdded = await store.fans.add(
      likes
        .filter((l) => !recordedKeys.has(key(l.concertId, l.userId)))
        .map((l) => ({ ...l, title: concerts.get(l.concertId)!.title, eventAt: concerts.get(l.concertId)!.startsAt })),
      now,
    );
    result.fansRemoved = await store.fans.remove(recorded.filter((f) => !liked.has(key(f.concertId, f.userId))));
    return result;
  } finally {
    await redis.eval(RELEASE, 1, lock, holder).catch(() => undefined);
  }
}
