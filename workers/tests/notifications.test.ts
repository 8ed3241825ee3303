import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { NotificationKind, planReminders, preferencesOf, reminderIdOf, reminderJobId } from '@stagelives/notifications/store';
import type { NotificationWorkers } from '../src/notifications/notifications.js';
import {
  HOUR,
  MINUTE,
  emitConcert,
  emitNotification,
  emitUser,
  jobsOf,
  newUserId,
  openHarness,
  remindersOf,
  removeLike,
  seedConcert,
  seedLike,
  seedPreferences,
  statusesOf,
  updateConcert,
  waitFor,
  type Harness,
} from './notifications.fixtures.js';

describe('notifications workers: scheduling from events', () => {
  let h: Harness;
  let workers: NotificationWorkers;
  beforeAll(async () => {
    h = await openHarness();
    // Events and scheduling only: nothing is sent in this block (reminders are hours away).
    workers = await h.start({ run: { sending: false, upkeep: false } });
  });
  afterAll(() => h?.close());

  const later = (ms: number) => new Date(Date.now() + ms);

  it('should schedule a fan’s reminders from their preferences on a like, with ids derived from the reminder and its fire time', async () => {
    const concert = await seedConcert(h.concertsDb, { startsAt: later(48 * HOUR), ticketOpenAt: later(24 * HOUR) });
    const fan = newUserId();
    await seedPreferences(h.notificationsDb, fan, { ticketOpenLeadMinutes: 30 });
    await seedLike(h.concertsDb, concert.id, fan);
    await emitConcert(h, 'concert.liked', { concertId: concert.id, userId: fan });

    await waitFor(async () => (await remindersOf(h, fan)).length === 2, 10_000, 'two reminders');
    const reminders = await remindersOf(h, fan);
    const ticket = reminders.find((r) => r.reminder.kind === NotificationKind.TICKET_OPEN)!.reminder;
    const start = reminders.find((r) => r.reminder.kind === NotificationKind.CONCERT_START)!.reminder;
    expect(ticket.fireAt).toEqual(new Date(concert.ticketOpenAt!.getTime() - 30 * MINUTE));
    expect(start.fireAt).toEqual(new Date(concert.startsAt.getTime() - 120 * MINUTE));
    expect(ticket._id).toEqual(reminderIdOf(ticket));
    expect(reminders.map((r) => r.status)).toEqual(['PENDING', 'PENDING']);

    const jobs = await jobsOf(workers);
    const mine = [reminderJobId(ticket), reminderJobId(start)];
    expect(mine.every((id) => !id.includes(':'))).toBe(true);
    expect(jobs.filter((j) => mine.includes(j.id))).toEqual(expect.arrayContaining(mine.map((id) => ({ id, state: 'delayed' }))));
    const job = await workers.sendQueue.getJob(reminderJobId(ticket));
    expect(job!.opts.delay).toBeGreaterThan(23 * HOUR - 31 * MINUTE);

    // A replayed like (and a second like event) changes nothing: same documents, same two jobs.
    await emitConcert(h, 'concert.liked', { concertId: concert.id, userId: fan });
    await emitConcert(h, 'concert.liked', { concertId: concert.id, userId: fan });
    await new Promise((r) => setTimeout(r, 700));
    await workers.scheduler.syncPairs([{ concertId: concert.id, userId: fan }]);
    expect(await remindersOf(h, fan)).toHaveLength(2);
    expect((await jobsOf(workers)).filter((j) => mine.includes(j.id))).toHaveLength(2);
    expect(await h.store.fans.fansOf(concert.id)).toEqual([expect.objectContaining({ userId: fan, title: concert.title })]);
  });

  it('should not schedule a reminder whose event has passed, and schedule one whose fire time passed while the event is ahead (due at once)', async () => {
    const concert = await seedConcert(h.concertsDb, { startsAt: later(30 * MINUTE), ticketOpenAt: later(-MINUTE) });
    const fan = newUserId();
    await seedLike(h.concertsDb, concert.id, fan);
    await workers.scheduler.syncPairs([{ concertId: concert.id, userId: fan }]);
    const reminders = await remindersOf(h, fan);
    expect(reminders.map((r) => r.reminder.kind)).toEqual([NotificationKind.CONCERT_START]);
    const job = await workers.sendQueue.getJob(reminderJobId(reminders[0]!.reminder));
    expect(job!.opts.delay).toBe(0);
  });

  it('should cancel a fan’s pending reminders on unlike, remove their jobs, and reopen them on a new like', async () => {
    const concert = await seedConcert(h.concertsDb, { startsAt: later(48 * HOUR), ticketOpenAt: later(24 * HOUR) });
    const fan = newUserId();
    await seedLike(h.concertsDb, concert.id, fan);
    await emitConcert(h, 'concert.liked', { concertId: concert.id, userId: fan });
    await waitFor(async () => (await remindersOf(h, fan)).length === 2);
    const ids = (await remindersOf(h, fan)).map((r) => reminderJobId(r.reminder));

    await removeLike(h.concertsDb, concert.id, fan);
    await emitConcert(h, 'concert.unliked', { concertId: concert.id, userId: fan });
    // The handler cancels, removes the jobs, then forgets the fan: wait for the whole of it.
    await waitFor(
      async () => (await statusesOf(h, fan)).every((s) => s.endsWith('CANCELLED:unliked')) && (await h.store.fans.fansOf(concert.id)).length === 0,
      10_000,
      'cancelled reminders and the fan forgotten',
    );
    expect((await jobsOf(workers)).filter((j) => ids.includes(j.id))).toEqual([]);
    expect(await h.store.fans.fansOf(concert.id)).toEqual([]);

    await seedLike(h.concertsDb, concert.id, fan);
    await emitConcert(h, 'concert.liked', { concertId: concert.id, userId: fan });
    await waitFor(async () => (await statusesOf(h, fan)).every((s) => s.endsWith('PENDING')), 10_000, 'reopened reminders');
    expect(await remindersOf(h, fan)).toHaveLength(2);
    expect((await jobsOf(workers)).filter((j) => ids.includes(j.id)).map((j) => j.state)).toEqual(['delayed', 'delayed']);
  });

  it('should reschedule every fan’s reminder when the concert’s dates change', async () => {
    const concert = await seedConcert(h.concertsDb, { startsAt: later(48 * HOUR), ticketOpenAt: later(24 * HOUR) });
    const fans = [newUserId(), newUserId(), newUserId()];
    for (const fan of fans) await seedLike(h.concertsDb, concert.id, fan);
    await workers.scheduler.syncConcert(concert.id);
    expect((await remindersOf(h)).filter((r) => r.reminder.concertId === concert.id)).toHaveLength(6);

    const startsAt = later(72 * HOUR);
    await updateConcert(h.concertsDb, concert.id, { startsAt });
    const dates = (s: Date, t: Date | null) => ({ startsAt: s.toISOString(), endsAt: null, ticketOpenAt: t?.toISOString() ?? null });
    await emitConcert(h, 'concert.rescheduled', {
      concertId: concert.id,
      previous: dates(concert.startsAt, concert.ticketOpenAt),
      current: dates(startsAt, concert.ticketOpenAt),
    });
    // New reminders are stored before the old ones are cancelled: wait for both.
    const settled = async () => {
      const all = (await remindersOf(h)).filter((r) => r.reminder.concertId === concert.id);
      return all.length === 9 && all.filter((r) => r.status === 'CANCELLED').length === 3;
    };
    await waitFor(settled, 10_000, 'new start reminders, the old ones cancelled');
    for (const fan of fans) {
      expect(await statusesOf(h, fan)).toEqual(['CONCERT_START:CANCELLED:rescheduled', 'CONCERT_START:PENDING', 'TICKET_OPEN:PENDING']);
      const pendingStart = (await remindersOf(h, fan)).find((r) => r.status === 'PENDING' && r.reminder.kind === 'CONCERT_START')!;
      expect(pendingStart.reminder.fireAt).toEqual(new Date(startsAt.getTime() - 2 * HOUR));
    }
  });

  it('should cancel reminders and send one cancelled notice per fan when a concert is cancelled, and again none when it is then deleted', async () => {
    const concert = await seedConcert(h.concertsDb, { startsAt: later(48 * HOUR), ticketOpenAt: later(24 * HOUR), title: 'Cancelled Night' });
    const [a, b, quiet] = [newUserId(), newUserId(), newUserId()];
    await seedPreferences(h.notificationsDb, quiet, { ticketOpen: false, concertStart: false });
    for (const fan of [a, b, quiet]) await seedLike(h.concertsDb, concert.id, fan);
    await workers.scheduler.syncConcert(concert.id);

    await updateConcert(h.concertsDb, concert.id, { status: 'CANCELLED' });
    await emitConcert(h, 'concert.status-changed', { concertId: concert.id, from: 'UPCOMING', to: 'CANCELLED', cause: 'admin' });
    await emitConcert(h, 'concert.status-changed', { concertId: concert.id, from: 'UPCOMING', to: 'CANCELLED', cause: 'admin' });
    await waitFor(async () => (await statusesOf(h, quiet)).length === 1, 10_000, 'notice of the quiet fan');
    await new Promise((r) => setTimeout(r, 500));
    expect(await statusesOf(h, a)).toEqual([
      'CONCERT_CANCELLED:PENDING',
      'CONCERT_START:CANCELLED:concert-cancelled',
      'TICKET_OPEN:CANCELLED:concert-cancelled',
    ]);
    expect(await statusesOf(h, quiet)).toEqual(['CONCERT_CANCELLED:PENDING']);
    const notice = (await remindersOf(h, a)).find((r) => r.reminder.kind === 'CONCERT_CANCELLED')!.reminder;
    expect(notice.title).toBe('Cancelled Night');
    expect((await workers.sendQueue.getJob(reminderJobId(notice)))?.opts.delay).toBe(0);

    // Deleted afterwards (likes go with it): still one notice per fan.
    await h.concertsDb.collection('concerts').deleteOne({ _id: concert._id });
    await h.concertsDb.collection('likes').deleteMany({ concertId: concert._id });
    await emitConcert(h, 'concert.deleted', { concertId: concert.id });
    await new Promise((r) => setTimeout(r, 800));
    for (const fan of [a, b, quiet]) expect((await statusesOf(h, fan)).filter((s) => s.startsWith('CONCERT_CANCELLED'))).toEqual(['CONCERT_CANCELLED:PENDING']);
  });

  it('should send a cancelled notice to the recorded fans of a deleted concert (its likes are gone by then)', async () => {
    const concert = await seedConcert(h.concertsDb, { startsAt: later(48 * HOUR), ticketOpenAt: null, title: 'Gone Night' });
    const fan = newUserId();
    await seedLike(h.concertsDb, concert.id, fan);
    await emitConcert(h, 'concert.liked', { concertId: concert.id, userId: fan });
    await waitFor(async () => (await remindersOf(h, fan)).length === 1);
    // deleteConcert: the concert, then its likes, then the event.
    await h.concertsDb.collection('concerts').deleteOne({ _id: concert._id });
    await h.concertsDb.collection('likes').deleteMany({ concertId: concert._id });
    await emitConcert(h, 'concert.deleted', { concertId: concert.id });
    await waitFor(async () => (await statusesOf(h, fan)).length === 2, 10_000, 'notice');
    expect(await statusesOf(h, fan)).toEqual(['CONCERT_CANCELLED:PENDING', 'CONCERT_START:CANCELLED:concert-deleted']);
    expect((await remindersOf(h, fan)).find((r) => r.reminder.kind === 'CONCERT_CANCELLED')!.reminder.title).toBe('Gone Night');
  });

  it('should reschedule or cancel a user’s pending reminders when their preferences change', async () => {
    const concert = await seedConcert(h.concertsDb, { startsAt: later(48 * HOUR), ticketOpenAt: later(24 * HOUR) });
    const fan = newUserId();
    await seedLike(h.concertsDb, concert.id, fan);
    await workers.scheduler.syncPairs([{ concertId: concert.id, userId: fan }]);

    await seedPreferences(h.notificationsDb, fan, { ticketOpen: false, concertStartLeadMinutes: 15 });
    await emitNotification(h, 'notifications.preferences-changed', { userId: fan });
    await waitFor(async () => (await statusesOf(h, fan)).length === 3, 10_000, 'changed reminders');
    expect(await statusesOf(h, fan)).toEqual(['CONCERT_START:CANCELLED:preferences-changed', 'CONCERT_START:PENDING', 'TICKET_OPEN:CANCELLED:preference-off']);
    expect((await remindersOf(h, fan)).find((r) => r.status === 'PENDING')!.reminder.fireAt).toEqual(new Date(concert.startsAt.getTime() - 15 * MINUTE));

    // Back to the defaults: the original reminders are wanted again (reopened), the 15-minute one goes.
    await h.notificationsDb.collection('notification_preferences').deleteOne({ _id: fan as never });
    await emitNotification(h, 'notifications.preferences-changed', { userId: fan });
    await waitFor(async () => (await statusesOf(h, fan)).filter((s) => s.endsWith('PENDING')).length === 2, 10_000, 'reopened');
    expect(await statusesOf(h, fan)).toEqual(['CONCERT_START:CANCELLED:preferences-changed', 'CONCERT_START:PENDING', 'TICKET_OPEN:PENDING']);
  });

  it('should cancel and forget a deleted account’s reminders and never schedule for it again', async () => {
    const concert = await seedConcert(h.concertsDb, { startsAt: later(48 * HOUR), ticketOpenAt: later(24 * HOUR) });
    const fan = newUserId();
    await seedLike(h.concertsDb, concert.id, fan);
    await workers.scheduler.syncPairs([{ concertId: concert.id, userId: fan }]);
    const jobIds = (await remindersOf(h, fan)).map((r) => reminderJobId(r.reminder));
    await emitUser(h, 'user.deleted', { userId: fan });
    await waitFor(async () => (await remindersOf(h, fan)).length === 0, 10_000, 'forgotten');
    expect((await jobsOf(workers)).filter((j) => jobIds.includes(j.id))).toEqual([]);
    // The like stays in the concerts domain; the marker keeps reminders from coming back.
    await workers.scheduler.syncPairs([{ concertId: concert.id, userId: fan }]);
    expect(await remindersOf(h, fan)).toEqual([]);
  });

  it('should plan exactly what the rules say for a bulk schedule, and schedule it idempotently', async () => {
    const concert = await seedConcert(h.concertsDb, { startsAt: later(48 * HOUR), ticketOpenAt: later(24 * HOUR) });
    const planned = Array.from({ length: 50 }, () => planReminders(newUserId(), { ...concert, status: 'UPCOMING' }, preferencesOf(null), new Date())).flat();
    expect(await workers.scheduler.schedule(planned)).toEqual({ inserted: 100, queued: 100 });
    expect(await workers.scheduler.schedule(planned)).toEqual({ inserted: 0, queued: 100 });
    const ids = new Set(planned.map((r) => reminderJobId(r)));
    expect((await jobsOf(workers)).filter((j) => ids.has(j.id))).toHaveLength(100);
    expect(await h.store.reminders.reminders.countDocuments({ concertId: concert.id })).toBe(100);
    expect(new ObjectId(planned[0]!._id).toHexString()).toHaveLength(24);
  });
});
