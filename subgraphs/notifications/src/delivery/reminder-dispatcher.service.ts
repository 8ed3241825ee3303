import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import type { Logger, Redis } from '@stagelives/platform';
import { SpanKind, failSpan, withSpan } from '@stagelives/platform/telemetry';
import { NotificationLiveEventType, notificationUserChannel, type NotificationLiveEvent } from '@stagelives/schema';
import type { NotificationDocument } from '../notification/notification.type.js';
import type { DueReminder } from '../reminder/reminder-jobs.js';
import { HISTORY_RETENTION_MS, ReminderStatus, notificationText, verdictFor, type ReminderFacts, type Verdict } from '../reminder/reminder.rules.js';
import type { OutcomeInput } from '../scheduled-notification/scheduled-notification.repository.js';
import type { NotificationStore } from '../store/notification-store.js';
import type { FactsCache, FactsRequest, FactsSnapshot } from './facts-cache.js';
import { ledgerKey, type PushReceiptDocument } from './push-ledger.repository.js';
import type { PushResult, PushTransport } from './push-transport.js';

/** One send job as the dispatcher sees it. */
export interface DispatchJob {
  data: DueReminder;
  /** Attempts BullMQ already counted as failed. */
  attemptsMade: number;
  /** Attempts allowed in all. */
  attempts: number;
}

export type DispatchResult =
  /** SENT (now, or by an earlier attempt that this one completed): every device has its final answer. */
  | { kind: 'sent'; pushed: number; devices: number }
  | { kind: 'cancelled'; reason: string }
  | { kind: 'failed'; reason: string }
  /** Already finished (by another job of the same reminder): nothing to do. */
  | { kind: 'skipped'; status: string }
  /** Another worker holds the reminder: try again after `retryInMs`. */
  | { kind: 'locked'; retryInMs: number }
  /** Some pushes failed transiently: try again after at least `retryAfterMs` (FCM's Retry-After, when it sent one). */
  | { kind: 'retry'; retryAfterMs: number; transient: number };

export interface DispatcherDeps {
  store: NotificationStore;
  cache: FactsCache;
  push: PushTransport;
  redis: Redis;
  redisPrefix: string;
  logger: Logger;
  /** How long a worker holds a reminder while sending it. */
  lockMs: number;
  clock?: () => Date;
}

/**
 * The Redis key that gives one worker a reminder while it sends it. The `{notifications}` hash
 * tag keeps every hold in one Redis Cluster slot: a batch takes its holds with one pipeline.
 */
const sendLockKey = (redisPrefix: string, reminderId: string) => `${redisPrefix}{notifications}:sending:${reminderId}`;

// Deletes the lock only if this worker still holds it.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

const factsOf = (data: DueReminder): ReminderFacts => ({
  userId: data.userId,
  concertId: data.concertId,
  kind: data.kind,
  fireAt: new Date(data.fireAt),
  eventAt: data.eventAt === null ? null : new Date(data.eventAt),
});

const statusOf = (verdict: Verdict) =>
  verdict.action === 'send' ? ReminderStatus.SENT : verdict.action === 'cancel' ? ReminderStatus.CANCELLED : ReminderStatus.FAILED;

const RECEIPT_OF = { unregistered: 'UNREGISTERED', invalid: 'INVALID', permanent: 'PERMANENT', transient: 'TRANSIENT' } as const;

/**
 * Sends a batch of due reminders, at most one push per (reminder, device):
 *
 * 1. **Hold** each reminder in Redis (`SET NX PX`): one worker at a time sends a reminder. A
 *    reminder held elsewhere is retried later.
 * 2. **Re-check** it against the current facts (still liked, preference on with the same lead,
 *    concert not cancelled, its date unchanged; see `verdictFor`). Its event passed: FAILED `missed`.
 * 3. **Decide** its outcome with one insert (SENT, CANCELLED or FAILED): the first decision wins,
 *    so a cancel racing with this send cannot both happen. A reminder already SENT by an earlier
 *    attempt (killed mid-way) is resumed.
 * 4. **Write** the in-app notification (id = reminder id: once) and **claim** each (reminder,
 *    device) in the ledger before pushing. A claim that exists with a receipt is never pushed
 *    again; one without (its worker died in flight) is pushed again, with the same collapse key.
 * 5. **Push** with the transport (firebase-admin), then record a receipt per device. Unregistered
 *    and invalid tokens are removed from the user; permanent errors fail that device only;
 *    transient ones (429, 5xx, network) make the job retry, honouring Retry-After, until its last
 *    attempt, which fails those devices.
 *
 * Every step is one database round trip for the whole batch, and every write is an insert.
 */
export class ReminderDispatcher {
  private readonly clock: () => Date;

  constructor(private readonly deps: DispatcherDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  dispatch(jobs: readonly DispatchJob[]): Promise<DispatchResult[]> {
    return withSpan('dispatch reminders', { attributes: { 'stagelives.reminders': jobs.length } }, () => this.dispatchBatch(jobs));
  }

  private async dispatchBatch(jobs: readonly DispatchJob[]): Promise<DispatchResult[]> {
    const { redis, redisPrefix, lockMs } = this.deps;
    const results = new Array<DispatchResult>(jobs.length);
    const holder = randomUUID();

    // 1. Hold: one job per reminder in this batch, and only reminders no other worker holds.
    const first = new Map<string, number>();
    jobs.forEach((job, i) => {
      if (first.has(job.data.reminderId)) results[i] = { kind: 'locked', retryInMs: 500 };
      else first.set(job.data.reminderId, i);
    });
    const candidates = [...first.values()];
    const pipeline = redis.pipeline();
    for (const i of candidates) pipeline.set(sendLockKey(redisPrefix, jobs[i]!.data.reminderId), holder, 'PX', lockMs, 'NX');
    const replies = candidates.length ? ((await pipeline.exec()) ?? []) : [];
    const held: number[] = [];
    candidates.forEach((i, k) => {
      const [error, reply] = replies[k] ?? [new Error('no reply'), null];
      if (error) throw error;
      if (reply === 'OK') held.push(i);
      else results[i] = { kind: 'locked', retryInMs: Math.min(lockMs, 2_000) };
    });

    try {
      if (held.length) await this.send(jobs, held, results);
    } finally {
      if (held.length) {
        const release = redis.pipeline();
        for (const i of held) release.eval(RELEASE, 1, sendLockKey(redisPrefix, jobs[i]!.data.reminderId), holder);
        await release.exec().catch((error: unknown) => this.deps.logger.warn({ err: String(error) }, 'releasing reminder holds failed; they expire'));
      }
    }
    return results;
  }

  private async send(jobs: readonly DispatchJob[], held: number[], results: DispatchResult[]): Promise<void> {
    const { store, cache, logger } = this.deps;
    const now = this.clock();
    const timings: Record<string, number> = {};
    let mark = Date.now();
    const lap = (name: string) => {
      const at = Date.now();
      timings[name] = at - mark;
      mark = at;
    };
    const request = (i: number): FactsRequest => ({ userId: jobs[i]!.data.userId, concertId: jobs[i]!.data.concertId, queuedAt: jobs[i]!.data.queuedAt });

    // 2. Re-check. A negative verdict reached on cached facts is checked again on fresh reads.
    const facts = await cache.facts(held.map(request));
    const verdicts = new Map<number, { verdict: Verdict; facts: FactsSnapshot }>();
    const judge = (i: number, snapshot: FactsSnapshot) => {
      const data = jobs[i]!.data;
      const verdict = verdictFor(
        factsOf(data),
        {
          concert: snapshot.concerts.get(data.concertId) ?? null,
          liked: snapshot.liked(data.concertId, data.userId),
          preferences: snapshot.preferences(data.userId),
          userDeleted: snapshot.deleted(data.userId),
        },
        now,
      );
      verdicts.set(i, { verdict, facts: snapshot });
    };
    lap('facts');
    for (const i of held) judge(i, facts);
    const doubtful = held.filter((i) => verdicts.get(i)!.verdict.action !== 'send' && facts.cached(request(i)));
    if (doubtful.length) {
      const fresh = await cache.facts(doubtful.map(request), { fresh: true });
      for (const i of doubtful) judge(i, fresh);
    }

    // 3. Decide: one outcome insert per reminder; the first decision wins.
    const outcomeOf = (i: number): OutcomeInput => {
      const { verdict } = verdicts.get(i)!;
      const data = jobs[i]!.data;
      return {
        reminder: {
          _id: new ObjectId(data.reminderId),
          userId: data.userId,
          concertId: data.concertId,
          fireAt: new Date(data.fireAt),
          eventAt: data.eventAt === null ? null : new Date(data.eventAt),
        },
        status: statusOf(verdict),
        reason: verdict.action === 'send' ? null : verdict.reason,
      };
    };
    lap('recheck');
    const recorded = await store.reminders.decide(held.map(outcomeOf), now);
    const toSend: number[] = [];
    const earlier = held.filter((i) => !recorded.has(jobs[i]!.data.reminderId));
    const previous = earlier.length ? await store.reminders.outcomesOf(earlier.map((i) => new ObjectId(jobs[i]!.data.reminderId))) : new Map();
    for (const i of held) {
      const { verdict } = verdicts.get(i)!;
      if (recorded.has(jobs[i]!.data.reminderId)) {
        if (verdict.action === 'send') toSend.push(i);
        else results[i] = verdict.action === 'cancel' ? { kind: 'cancelled', reason: verdict.reason } : { kind: 'failed', reason: verdict.reason };
        continue;
      }
      const outcome = previous.get(jobs[i]!.data.reminderId);
      if (outcome?.status === ReminderStatus.SENT)
        toSend.push(i); // an earlier attempt decided to send: finish it
      else if (outcome) results[i] = { kind: 'skipped', status: outcome.status };
      else results[i] = { kind: 'locked', retryInMs: 1_000 }; // reopened between our insert and read: look again
    }
    lap('decide');
    if (toSend.length === 0) return;

    // 4. The in-app notification, and a ledger claim per (reminder, device), before any push.
    const texts = new Map<number, { title: string; body: string }>();
    const history: NotificationDocument[] = [];
    const entries: Array<{ i: number; reminderId: string; userId: string; token: string }> = [];
    for (const i of toSend) {
      const data = jobs[i]!.data;
      const snapshot = verdicts.get(i)!.facts;
      const title = snapshot.concerts.get(data.concertId)?.title ?? data.title;
      const text = notificationText(data.kind, title, data.eventAt === null ? null : new Date(data.eventAt), now);
      texts.set(i, text);
      history.push({
        _id: new ObjectId(data.reminderId),
        userId: data.userId,
        concertId: data.concertId,
        kind: data.kind,
        ...text,
        createdAt: now,
        expireAt: new Date(now.getTime() + HISTORY_RETENTION_MS),
      });
      for (const device of snapshot.devices(data.userId)) entries.push({ i, reminderId: data.reminderId, userId: data.userId, token: device._id });
    }
    const [, claimed] = await Promise.all([
      // Announced the moment they are recorded, before any push.
      store.notifications.insert(history).then((inserted) => this.announce(history.filter((doc) => inserted.has(doc._id.toHexString())))),
      store.ledger.claim(
        entries.map(({ reminderId, userId, token }) => ({ reminderId, userId, token })),
        now,
      ),
    ]);
    const unclaimed = entries.filter((e) => !claimed.has(ledgerKey(e.reminderId, e.token)));
    const confirmed = unclaimed.length
      ? await store.ledger.receiptsOf(unclaimed.map((e) => ledgerKey(e.reminderId, e.token)))
      : new Map<string, PushReceiptDocument>();
    lap('claim');
    const tokensOf = new Map<number, string[]>(toSend.map((i) => [i, []]));
    const deviceCount = new Map<number, number>(toSend.map((i) => [i, 0]));
    for (const e of entries) {
      deviceCount.set(e.i, deviceCount.get(e.i)! + 1);
      if (!confirmed.has(ledgerKey(e.reminderId, e.token))) tokensOf.get(e.i)!.push(e.token);
    }

    // 5. Push, then a receipt per device; transient failures retry the job.
    const receipts: Array<Omit<PushReceiptDocument, 'expireAt' | 'at'>> = [];
    const removals: Array<{ token: string; userId: string; notAfter: Date }> = [];
    await Promise.all(
      toSend.map(async (i) => {
        const job = jobs[i]!;
        const { data } = job;
        const tokens = tokensOf.get(i)!;
        let pushed: PushResult[] = [];
        if (tokens.length) {
          const ttlSeconds = data.eventAt === null ? 24 * 3600 : Math.max(60, Math.floor((data.eventAt - now.getTime()) / 1000));
          // A span per reminder's push, linked to the trace that scheduled it (the like's).
          const attributes = { 'stagelives.reminder.id': data.reminderId, 'stagelives.reminder.kind': data.kind, 'stagelives.push.devices': tokens.length };
          pushed = await withSpan('push reminder', { kind: SpanKind.CLIENT, attributes, links: data.trace ? [data.trace] : [] }, async (span) => {
            let results: PushResult[];
            try {
              results = await this.deps.push.send({
                reminderId: data.reminderId,
                tokens,
                ...texts.get(i)!,
                data: { kind: data.kind, concertId: data.concertId },
                ttlSeconds,
              });
            } catch (error) {
              // The transport itself failed (not one token): every push of it may be retried.
              logger.warn({ err: error instanceof Error ? error.message : String(error), reminderId: data.reminderId }, 'push transport failed');
              failSpan(span, error);
              results = tokens.map((token) => ({ token, ok: false, kind: 'transient', error: { code: 'transport', message: String(error) } }));
            }
            // One event per device (never its token): what FCM answered.
            for (const result of results) span?.addEvent('push device', result.ok ? { ok: true } : { ok: false, 'stagelives.push.failure': result.kind });
            span?.setAttribute('stagelives.push.sent', results.filter((r) => r.ok).length);
            return results;
          });
        }
        const lastAttempt = job.attemptsMade + 1 >= job.attempts;
        let transient = 0;
        let retryAfterMs = 0;
        let sent = 0;
        const snapshot = verdicts.get(i)!.facts;
        for (const result of pushed) {
          const key = ledgerKey(data.reminderId, result.token);
          if (result.ok) {
            sent += 1;
            receipts.push({ _id: key, reminderId: data.reminderId, result: 'SENT', messageId: result.messageId, error: null });
            continue;
          }
          if (result.kind === 'transient' && !lastAttempt) {
            transient += 1;
            if (transient === 1) logger.debug({ reminderId: data.reminderId, error: result.error }, 'transient push failure');
            retryAfterMs = Math.max(retryAfterMs, (result.retryAfterSeconds ?? 0) * 1000);
            continue;
          }
          receipts.push({
            _id: key,
            reminderId: data.reminderId,
            result: RECEIPT_OF[result.kind],
            messageId: null,
            error: `${result.error.code}: ${result.error.message}`.slice(0, 500),
          });
          if (result.kind === 'unregistered' || result.kind === 'invalid')
            removals.push({ token: result.token, userId: data.userId, notAfter: snapshot.loadedAt(data.userId) });
        }
        results[i] = transient > 0 ? { kind: 'retry', retryAfterMs, transient } : { kind: 'sent', pushed: sent, devices: deviceCount.get(i)! };
      }),
    );
    lap('push');
    const retrying = toSend.filter((i) => results[i]!.kind === 'retry').length;
    if (retrying) logger.warn({ reminders: retrying, of: toSend.length }, 'pushes failed transiently; their jobs retry');
    await Promise.all([store.ledger.record(receipts, this.clock()), store.settings.removeTokens(removals)]);
    lap('receipts');
    logger.debug({ batch: held.length, sent: toSend.length, ms: timings }, 'batch sent');
    for (const { userId } of removals) cache.forgetUser(userId);
    if (removals.length) logger.info({ removed: removals.length }, 'removed device tokens FCM refused');
  }

  /**
   * `notification-added` on each owner's pub/sub channel, once per notification this batch
   * recorded (a resumed send whose notification exists announces nothing again): the router's
   * `notificationAdded` subscribers get it at once. Best effort, not awaited: a lost publish
   * loses only the live event; the notification is stored and listed.
   */
  private announce(recorded: readonly NotificationDocument[]): void {
    if (recorded.length === 0) return;
    const { redis, redisPrefix, logger } = this.deps;
    const pipeline = redis.pipeline();
    for (const doc of recorded) {
      const event: NotificationLiveEvent = { type: NotificationLiveEventType.NotificationAdded, userId: doc.userId, notificationId: doc._id.toHexString() };
      pipeline.publish(notificationUserChannel(redisPrefix, doc.userId), JSON.stringify(event));
    }
    pipeline.exec().then(
      (replies) => {
        const failed = (replies ?? []).filter(([error]) => error).length;
        if (failed) logger.warn({ failed, of: recorded.length }, 'notification-added not published: live subscribers miss them (the list has them)');
      },
      (error: unknown) =>
        logger.warn({ err: String(error), notifications: recorded.length }, 'notification-added not published: live subscribers miss them (the list has them)'),
    );
  }
}
