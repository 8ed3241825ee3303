import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import {
  NotificationKind,
  ledgerKey,
  planReminders,
  preferencesOf,
  pruneNotifications,
  reminderJobId,
  type PlannedReminder,
} from '@stagelives/notifications/store';
import { sendJob } from '../src/notifications/notifications.queue.js';
import { pushBackoff, PushRetryError } from '../src/notifications/send.worker.js';
import {
  HOUR,
  MINUTE,
  jobsOf,
  newUserId,
  openHarness,
  remindersOf,
  removeLike,
  seedConcert,
  seedDevice,
  seedDevices,
  seedLike,
  seedPreferences,
  statusesOf,
  updateConcert,
  waitFor,
  type Harness,
} from './notifications.fixtures.js';

const later = (ms: number) => new Date(Date.now() + ms);

/** A concert whose start reminder (default lead 120 min) is due at once: it starts in 30 minutes. */
const startsSoon = () => ({ startsAt: later(30 * MINUTE), ticketOpenAt: null });

describe('notifications workers: sending', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
  });
  afterEach(() => h?.stopStarted());
  afterAll(() => h?.close());

  const historyOf = (userId: string) => h.store.notifications.notifications.find({ userId }).toArray();

  it('should push a due reminder to every device of the fan through firebase-admin, keyed by the reminder id, then mark it SENT with its in-app notification', async () => {
    const workers = await h.start();
    const concert = await seedConcert(h.concertsDb, { startsAt: later(3 * HOUR), ticketOpenAt: later(60 * MINUTE + 1500), title: 'Soon Open' });
    const fan = newUserId();
    await seedDevice(h.notificationsDb, fan, `phone-${fan}`);
    await seedDevice(h.notificationsDb, fan, `tablet-${fan}`);
    await seedLike(h.concertsDb, concert.id, fan);
    await workers.scheduler.syncPairs([{ concertId: concert.id, userId: fan }]);
    const ticket = (await remindersOf(h, fan)).find((r) => r.reminder.kind === NotificationKind.TICKET_OPEN)!.reminder;
    const id = ticket._id.toHexString();
    expect(ticket.fireAt.getTime()).toBeGreaterThan(Date.now());

    await waitFor(async () => (await statusesOf(h, fan)).includes('TICKET_OPEN:SENT'), 15_000, 'SENT');
    expect(Date.now()).toBeGreaterThanOrEqual(ticket.fireAt.getTime());
    await waitFor(() => h.fcm.countsBy(id, `tablet-${fan}`) === 1);
    expect(h.fcm.countsBy(id, `phone-${fan}`)).toBe(1);
    const push = h.fcm.pushes.find((p) => p.reminderId === id)!;
    expect(push).toMatchObject({
      title: 'Tickets open soon: Soon Open',
      collapseKey: id,
      data: { reminderId: id, kind: 'TICKET_OPEN', concertId: concert.id },
    });
    expect(push.body).toBe('Ticket sales for Soon Open open in 60 minutes.');
    expect(await historyOf(fan)).toEqual([
      expect.objectContaining({ _id: ticket._id, kind: 'TICKET_OPEN', title: 'Tickets open soon: Soon Open', concertId: concert.id }),
    ]);
    // Each device's receipt is written once the FCM server has answered it (after it counted the push).
    const keys = [ledgerKey(id, `phone-${fan}`), ledgerKey(id, `tablet-${fan}`)];
    await waitFor(async () => (await h.store.ledger.receiptsOf(keys)).size === 2, 10_000, 'two receipts');
    const receipts = await h.store.ledger.receiptsOf(keys);
    expect([...receipts.values()].map((r) => r.result)).toEqual(['SENT', 'SENT']);
    expect(await statusesOf(h, fan)).toEqual(['CONCERT_START:PENDING', 'TICKET_OPEN:SENT']);
    await workers.close();
  });

  it('should give a fan with no device the in-app notification, and mark the reminder SENT', async () => {
    const workers = await h.start();
    const concert = await seedConcert(h.concertsDb, startsSoon());
    const fan = newUserId();
    await seedLike(h.concertsDb, concert.id, fan);
    await workers.scheduler.syncPairs([{ concertId: concert.id, userId: fan }]);
    await waitFor(async () => (await statusesOf(h, fan)).includes('CONCERT_START:SENT'));
    expect(await historyOf(fan)).toHaveLength(1);
    expect(h.fcm.pushes.filter((p) => p.data.concertId === concert.id)).toEqual([]);
    await workers.close();
  });

  it('should re-check at fire time and cancel, with the reason, a reminder that is no longer wanted although no event said so', async () => {
    const cases = ['unliked', 'rescheduled', 'concert-cancelled', 'preference-off'] as const;
    const concerts = await Promise.all(cases.map(() => seedConcert(h.concertsDb, startsSoon())));
    const fans = cases.map(() => newUserId());
    const planned: PlannedReminder[] = [];
    for (const [i, concert] of concerts.entries()) {
      await seedDevice(h.notificationsDb, fans[i]!, `device-${fans[i]}`);
      await seedLike(h.concertsDb, concert.id, fans[i]!);
      planned.push(...planReminders(fans[i]!, { ...concert, status: 'UPCOMING' }, preferencesOf(null), new Date()));
    }
    // The writes whose events were lost, before anything is sent:
    await removeLike(h.concertsDb, concerts[0]!.id, fans[0]!);
    await updateConcert(h.concertsDb, concerts[1]!.id, { startsAt: later(40 * MINUTE) });
    await updateConcert(h.concertsDb, concerts[2]!.id, { status: 'CANCELLED' });
    await seedPreferences(h.notificationsDb, fans[3]!, { concertStart: false });
    const workers = await h.start({ run: { events: false } });
    await workers.scheduler.schedule(planned);
    for (const [i, reason] of cases.entries()) {
      await waitFor(async () => (await statusesOf(h, fans[i])).length === 1 && !(await statusesOf(h, fans[i]))[0]!.endsWith('PENDING'), 15_000, reason);
      expect(await statusesOf(h, fans[i])).toEqual([`CONCERT_START:CANCELLED:${reason}`]);
      expect(h.fcm.countsBy(planned[i]!._id.toHexString(), `device-${fans[i]}`)).toBe(0);
      expect(await historyOf(fans[i]!)).toEqual([]);
    }
    await workers.close();
  });

  it('should never cancel on cached facts: a negative check is repeated on fresh reads, and facts older than a reminder’s scheduling are read again', async () => {
    const workers = await h.start({ config: { NOTIFICATIONS_RECHECK_CACHE_MS: 60_000 }, run: { events: false } });
    const [a, b] = await Promise.all([seedConcert(h.concertsDb, startsSoon()), seedConcert(h.concertsDb, startsSoon())]);
    const fan = newUserId();
    await seedLike(h.concertsDb, a.id, fan);
    // Warms the cache with the fan (no like of b yet).
    await workers.scheduler.schedule(planReminders(fan, { ...a, status: 'UPCOMING' }, preferencesOf(null), new Date()));
    await waitFor(async () => (await statusesOf(h, fan)).includes('CONCERT_START:SENT'));
    // The fan likes b and a reminder for it is scheduled: it must not be judged on the cached "not liked".
    await seedLike(h.concertsDb, b.id, fan);
    await workers.scheduler.syncPairs([{ concertId: b.id, userId: fan }]);
    await waitFor(async () => (await statusesOf(h, fan)).filter((s) => s === 'CONCERT_START:SENT').length === 2, 10_000, 'second SENT');
    await workers.close();
  });

  it('should remove unregistered and invalid tokens from the user, and fail only those devices', async () => {
    const workers = await h.start();
    const concert = await seedConcert(h.concertsDb, startsSoon());
    const fan = newUserId();
    const tokens = [`good-${fan}`, `unregistered-${fan}`, `invalid-${fan}`];
    for (const token of tokens) await seedDevice(h.notificationsDb, fan, token, new Date(Date.now() - 1000));
    await seedLike(h.concertsDb, concert.id, fan);
    await workers.scheduler.syncPairs([{ concertId: concert.id, userId: fan }]);
    await waitFor(async () => (await statusesOf(h, fan)).includes('CONCERT_START:SENT'));
    const id = (await remindersOf(h, fan))[0]!.reminder._id.toHexString();
    await waitFor(async () => (await h.store.settings.devices.countDocuments({ userId: fan })) === 1, 5_000, 'tokens removed');
    expect((await h.store.settings.devices.find({ userId: fan }).toArray()).map((d) => d._id)).toEqual([`good-${fan}`]);
    const receipts = await h.store.ledger.receiptsOf(tokens.map((t) => ledgerKey(id, t)));
    expect(tokens.map((t) => receipts.get(ledgerKey(id, t))?.result)).toEqual(['SENT', 'UNREGISTERED', 'INVALID']);
    expect(h.fcm.countsBy(id, `good-${fan}`)).toBe(1);
    await workers.close();
  });

  it('should retry transient FCM errors with backoff honouring Retry-After, push once, and fail a device only after the last attempt', async () => {
    const workers = await h.start({ config: { NOTIFICATIONS_PUSH_ATTEMPTS: 3, NOTIFICATIONS_PUSH_BACKOFF_MS: 100 } });
    const concert = await seedConcert(h.concertsDb, startsSoon());
    const fan = newUserId();
    await seedDevice(h.notificationsDb, fan, `retry-${fan}`);
    await seedLike(h.concertsDb, concert.id, fan);
    h.fcm.failNext(1, { status: 429, retryAfterSeconds: 2 });
    const started = Date.now();
    await workers.scheduler.syncPairs([{ concertId: concert.id, userId: fan }]);
    const id = (await remindersOf(h, fan))[0]!.reminder._id.toHexString();
    await waitFor(() => h.fcm.countsBy(id, `retry-${fan}`) === 1, 15_000, 'delivered after retry');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    await waitFor(async () => (await h.store.ledger.receiptsOf([ledgerKey(id, `retry-${fan}`)])).get(ledgerKey(id, `retry-${fan}`))?.result === 'SENT');
    expect(await statusesOf(h, fan)).toEqual(['CONCERT_START:SENT']);
    expect(await historyOf(fan)).toHaveLength(1);

    // Every attempt fails: after the third the device fails, the reminder (in-app) is still SENT.
    const other = newUserId();
    await seedDevice(h.notificationsDb, other, `down-${other}`);
    await seedLike(h.concertsDb, concert.id, other);
    h.fcm.failNext(1000, { status: 500 });
    await workers.scheduler.syncPairs([{ concertId: concert.id, userId: other }]);
    const otherId = (await remindersOf(h, other))[0]!.reminder._id.toHexString();
    await waitFor(
      async () => (await h.store.ledger.receiptsOf([ledgerKey(otherId, `down-${other}`)])).has(ledgerKey(otherId, `down-${other}`)),
      15_000,
      'device failed',
    );
    h.fcm.reset();
    expect((await h.store.ledger.receiptsOf([ledgerKey(otherId, `down-${other}`)])).get(ledgerKey(otherId, `down-${other}`))?.result).toBe('TRANSIENT');
    expect(await statusesOf(h, other)).toEqual(['CONCERT_START:SENT']);
    await workers.close();
  });

  it('should compute retry delays from FCM’s Retry-After and an exponential backoff', () => {
    const half = () => 0.5;
    expect(pushBackoff(1, 1000, new PushRetryError(0, 1), half)).toBe(750);
    expect(pushBackoff(3, 1000, new PushRetryError(0, 1), half)).toBe(3000);
    expect(pushBackoff(1, 1000, new PushRetryError(30_000, 1), half)).toBe(30_000);
    expect(pushBackoff(30, 1000, new PushRetryError(0, 1), half)).toBe(15 * 60_000);
  });

  it('should never send one reminder twice from two worker processes, nor from two jobs of the same reminder', async () => {
    const concert = await seedConcert(h.concertsDb, startsSoon());
    const fans = Array.from({ length: 150 }, newUserId);
    await h.concertsDb.collection('likes').insertMany(fans.map((f) => ({ concertId: concert._id, userId: new ObjectId(f), createdAt: new Date() })));
    await seedDevices(
      h.notificationsDb,
      fans.flatMap((f) => [
        { userId: f, token: `two-a-${f}` },
        { userId: f, token: `two-b-${f}` },
      ]),
    );
    const planned = fans.flatMap((f) => planReminders(f, { ...concert, status: 'UPCOMING' }, preferencesOf(null), new Date()));
    const small = { NOTIFICATIONS_BATCH_SIZE: 20, NOTIFICATIONS_SEND_CONCURRENCY: 40 };
    const [one, two] = await Promise.all([h.start({ config: small, run: { sending: false } }), h.start({ config: small, run: { sending: false } })]);
    await one.scheduler.schedule(planned);
    // The same reminders again under other job ids (as a stray duplicate job would be).
    await one.sendQueue.addBulk(planned.slice(0, 50).map((r) => ({ ...sendJob(r, Date.now()), opts: { jobId: `dup-${r._id.toHexString()}` } })));
    const [w1, w2] = await Promise.all([
      h.start({ config: small, run: { events: false, upkeep: false } }),
      h.start({ config: small, run: { events: false, upkeep: false } }),
    ]);
    await waitFor(async () => (await h.store.reminders.outcomes.countDocuments({ concertId: concert.id, status: 'SENT' })) === 150, 30_000, '150 SENT');
    const jobIds = new Set([...planned.map((r) => reminderJobId(r)), ...planned.slice(0, 50).map((r) => `dup-${r._id.toHexString()}`)]);
    await waitFor(async () => (await jobsOf(w1)).filter((j) => jobIds.has(j.id)).length === 0, 10_000, 'queue drained');
    for (const r of planned) {
      const id = r._id.toHexString();
      expect([h.fcm.countsBy(id, `two-a-${r.userId}`), h.fcm.countsBy(id, `two-b-${r.userId}`)]).toEqual([1, 1]);
    }
    expect(await h.store.notifications.notifications.countDocuments({ concertId: concert.id })).toBe(150);
    await Promise.all([w1.close(), w2.close(), one.close(), two.close()]);
  });

  it('should send, after a full restart, reminders whose time passed while everything was down when their event is still ahead, and mark the others FAILED missed', async () => {
    const base = Date.now();
    const ahead = await seedConcert(h.concertsDb, { startsAt: new Date(base + 5 * HOUR), ticketOpenAt: new Date(base + 2 * HOUR) });
    const passing = await seedConcert(h.concertsDb, { startsAt: new Date(base + 8 * MINUTE), ticketOpenAt: null });
    const fan = newUserId();
    await seedDevice(h.notificationsDb, fan, `restart-${fan}`);
    await seedPreferences(h.notificationsDb, fan, { ticketOpenLeadMinutes: 60, concertStartLeadMinutes: 5 });
    for (const c of [ahead, passing]) await seedLike(h.concertsDb, c.id, fan);
    const scheduling = await h.start({ run: { sending: false, events: false, upkeep: false } });
    await scheduling.scheduler.syncPairs([ahead, passing].map((c) => ({ concertId: c.id, userId: fan })));
    expect(await statusesOf(h, fan)).toEqual(['CONCERT_START:PENDING', 'CONCERT_START:PENDING', 'TICKET_OPEN:PENDING']);
    await scheduling.close();

    // Down for "an hour and a half", and Redis lost its data: the workers come back with a clock
    // 90 minutes ahead. ahead's ticket reminder (due at +60 min, tickets at +120) is still
    // relevant; passing's start (+8 min) is over; ahead's start reminder (+3 h) is not due yet.
    for (const key of await h.scratch.keys()) if (key.includes('{bull}')) await h.scratch.redis.del(key);
    const clock = () => new Date(Date.now() + 90 * MINUTE);
    const workers = await h.start({ clock, run: { reconcileAtStart: true } });
    await waitFor(async () => (await statusesOf(h, fan)).filter((s) => !s.endsWith('PENDING')).length === 2, 15_000, 'recovered');
    expect(await statusesOf(h, fan)).toEqual(['CONCERT_START:FAILED:missed', 'CONCERT_START:PENDING', 'TICKET_OPEN:SENT']);
    const ticket = (await remindersOf(h, fan)).find((r) => r.reminder.kind === 'TICKET_OPEN')!.reminder;
    expect(h.fcm.countsBy(ticket._id.toHexString(), `restart-${fan}`)).toBe(1);
    const pendingStart = (await remindersOf(h, fan)).find((r) => r.status === 'PENDING')!.reminder;
    expect((await jobsOf(workers)).map((j) => j.id)).toContain(reminderJobId(pendingStart));
    await workers.close();
  });
});

describe('notifications workers: reconciliation and pruning', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
  });
  afterEach(() => h?.stopStarted());
  afterAll(() => h?.close());

  it('should re-queue PENDING reminders whose BullMQ jobs Redis lost, and nothing else', async () => {
    const workers = await h.start({ run: { sending: false, events: false, upkeep: false } });
    const concert = await seedConcert(h.concertsDb, { startsAt: later(48 * HOUR), ticketOpenAt: later(24 * HOUR) });
    const fans = Array.from({ length: 20 }, newUserId);
    for (const fan of fans) await seedLike(h.concertsDb, concert.id, fan);
    await workers.scheduler.syncConcert(concert.id);
    const before = (await jobsOf(workers)).map((j) => j.id).sort();
    expect(before).toHaveLength(40);
    expect(await workers.reconcile()).toMatchObject({ skipped: false, likes: 20, scheduled: 0, cancelled: 0, requeued: 0 });

    const bullKeys = (await h.scratch.keys()).filter((k) => k.includes('{bull}:notifications-send'));
    expect(bullKeys.length).toBeGreaterThan(40);
    await h.scratch.redis.del(...bullKeys);
    expect(await jobsOf(workers)).toEqual([]);
    expect(await workers.reconcile()).toMatchObject({ scheduled: 0, cancelled: 0, requeued: 40 });
    expect((await jobsOf(workers)).map((j) => j.id).sort()).toEqual(before);
    expect((await jobsOf(workers)).every((j) => j.state === 'delayed')).toBe(true);
    expect(await workers.reconcile()).toMatchObject({ requeued: 0 });
    await workers.close();
  });

  it('should schedule from a like written with no event, cancel after an unlike with no event, and keep the fan records in line', async () => {
    const workers = await h.start({ run: { sending: false, events: false, upkeep: false } });
    const concert = await seedConcert(h.concertsDb, { startsAt: later(48 * HOUR), ticketOpenAt: later(24 * HOUR) });
    const fan = newUserId();
    await seedLike(h.concertsDb, concert.id, fan);
    expect(await workers.reconcile()).toMatchObject({ scheduled: 2, fansAdded: 1 });
    expect(await statusesOf(h, fan)).toEqual(['CONCERT_START:PENDING', 'TICKET_OPEN:PENDING']);
    const jobIds = (await remindersOf(h, fan)).map((r) => reminderJobId(r.reminder));
    expect((await jobsOf(workers)).filter((j) => jobIds.includes(j.id)).map((j) => j.state)).toEqual(['delayed', 'delayed']);
    expect(await workers.reconcile()).toMatchObject({ scheduled: 0, requeued: 0, fansAdded: 0 });

    await removeLike(h.concertsDb, concert.id, fan);
    expect(await workers.reconcile()).toMatchObject({ cancelled: 2, fansRemoved: 1 });
    expect(await statusesOf(h, fan)).toEqual(['CONCERT_START:CANCELLED:unliked', 'TICKET_OPEN:CANCELLED:unliked']);
    expect((await jobsOf(workers)).filter((j) => jobIds.includes(j.id))).toEqual([]);

    // Liked again, still without an event: reopened.
    await seedLike(h.concertsDb, concert.id, fan);
    expect(await workers.reconcile()).toMatchObject({ reopened: 2 });
    expect(await statusesOf(h, fan)).toEqual(['CONCERT_START:PENDING', 'TICKET_OPEN:PENDING']);
    await workers.close();
  });

  it('should finish a send whose worker died between its SENT decision and the in-app notification', async () => {
    const workers = await h.start({ run: { sending: false, events: false, upkeep: false } });
    const concert = await seedConcert(h.concertsDb, startsSoon());
    const fan = newUserId();
    await seedDevice(h.notificationsDb, fan, `resume-${fan}`);
    await seedLike(h.concertsDb, concert.id, fan);
    const [reminder] = planReminders(fan, { ...concert, status: 'UPCOMING' }, preferencesOf(null), new Date());
    await h.store.reminders.insert([reminder!]);
    // What a worker killed right after deciding leaves: the outcome, no notification, no job.
    await h.store.reminders.decide([{ reminder: reminder!, status: 'SENT', reason: null }]);
    expect(await workers.reconcile()).toMatchObject({ resumed: 1 });
    const sender = await h.start({ run: { events: false, upkeep: false } });
    await waitFor(async () => (await h.store.notifications.notifications.countDocuments({ userId: fan })) === 1, 10_000, 'notification');
    await waitFor(() => h.fcm.countsBy(reminder!._id.toHexString(), `resume-${fan}`) === 1);
    await Promise.all([sender.close(), workers.close()]);
  });

  it('should prune expired reminders, outcomes, notifications, read marks and ledger entries', async () => {
    const workers = await h.start({ run: { sending: false, events: false, upkeep: false } });
    const past = new Date(Date.now() - 1000);
    const user = newUserId();
    const id = new ObjectId();
    await h.store.reminders.reminders.insertOne({
      _id: id,
      userId: user,
      concertId: 'c',
      kind: 'CONCERT_START',
      fireAt: past,
      eventAt: past,
      title: 't',
      createdAt: past,
      expireAt: past,
    });
    await h.store.reminders.outcomes.insertOne({ _id: id, userId: user, concertId: 'c', status: 'SENT', reason: null, at: past, expireAt: past });
    await h.store.notifications.notifications.insertOne({
      _id: id,
      userId: user,
      concertId: 'c',
      kind: 'CONCERT_START',
      title: 't',
      body: 'b',
      createdAt: past,
      expireAt: past,
    });
    await h.store.notifications.reads.insertOne({ _id: id, userId: user, readAt: past, expireAt: past });
    await h.store.ledger.claims.insertOne({
      _id: `${id.toHexString()}.x`,
      reminderId: id.toHexString(),
      userId: user,
      token: 'x',
      claimedAt: past,
      expireAt: past,
    });
    const kept = new ObjectId();
    await h.store.notifications.notifications.insertOne({
      _id: kept,
      userId: user,
      concertId: 'c',
      kind: 'CONCERT_START',
      title: 't',
      body: 'b',
      createdAt: new Date(),
      expireAt: later(HOUR),
    });
    expect(await pruneNotifications(h.store)).toMatchObject({ reminders: 1, notifications: 1, ledger: 1 });
    expect(await h.store.reminders.outcomes.countDocuments({ userId: user })).toBe(0);
    expect(await h.store.notifications.reads.countDocuments({ userId: user })).toBe(0);
    expect((await h.store.notifications.notifications.find({ userId: user }).toArray()).map((d) => d._id)).toEqual([kept]);
    await workers.close();
  });
});
