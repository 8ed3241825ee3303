import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, signUp, signUpAdmin } from '../support/harness.js';
import { HOUR, MINUTE, at, createConcert, reminders, run, startNotificationsStack, waitFor, type NotificationsStack } from './fixtures.js';

let n: NotificationsStack;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
beforeAll(async () => {
  n = await startNotificationsStack();
  admin = await signUpAdmin(n.stack);
});
afterAll(() => n?.close());

const like = (token: string, id: string) => run(n.stack, 'LikeConcert', { id }, token, 'concerts.graphql');
const statuses = async (token: string) => (await reminders(n.stack, token)).map((r) => `${r.kind}:${r.status}${r.reason ? `:${r.reason}` : ''}`).sort();
const until = (token: string, check: (s: string[]) => boolean, what: string) => waitFor(() => statuses(token), check, 15_000, what);
const notifications = async (token: string, variables: Record<string, unknown> = {}) =>
  (await run(n.stack, 'MyNotifications', variables, token)).me.notifications;

describe('notifications: reminders follow likes, dates and preferences (through the public API)', () => {
  it('should cancel a fan’s reminders when they unlike the concert', async () => {
    const fan = await signUp(n.stack);
    const concert = await createConcert(n.stack, admin.token, { startsAt: at(Date.now() + 48 * HOUR), ticketOpenAt: at(Date.now() + 24 * HOUR) });
    await like(fan.token, concert.id);
    await until(fan.token, (s) => s.length === 2, 'scheduled');
    await run(n.stack, 'UnlikeConcert', { id: concert.id }, fan.token, 'concerts.graphql');
    expect(await until(fan.token, (s) => s.every((x) => x.includes('CANCELLED')), 'cancelled')).toEqual([
      'CONCERT_START:CANCELLED:unliked',
      'TICKET_OPEN:CANCELLED:unliked',
    ]);
  });

  it('should reschedule when an admin moves the concert, and follow the fan’s preferences', async () => {
    const fan = await signUp(n.stack);
    const startsAt = Date.now() + 48 * HOUR;
    const concert = await createConcert(n.stack, admin.token, { startsAt: at(startsAt), ticketOpenAt: at(Date.now() + 24 * HOUR) });
    await like(fan.token, concert.id);
    await until(fan.token, (s) => s.length === 2, 'scheduled');

    const moved = startsAt + 24 * HOUR;
    await run(n.stack, 'UpdateConcert', { id: concert.id, input: { startsAt: at(moved) } }, admin.token, 'concerts.graphql');
    await until(fan.token, (s) => s.length === 3, 'rescheduled');
    expect(await statuses(fan.token)).toEqual(['CONCERT_START:CANCELLED:rescheduled', 'CONCERT_START:PENDING', 'TICKET_OPEN:PENDING']);
    expect((await reminders(n.stack, fan.token)).find((r) => r.kind === 'CONCERT_START' && r.status === 'PENDING')!.fireAt).toBe(at(moved - 2 * HOUR));

    await run(
      n.stack,
      'UpdateNotificationPreferences',
      { input: { ticketOpen: false, concertStart: true, ticketOpenLeadMinutes: 60, concertStartLeadMinutes: 30 } },
      fan.token,
      'users.graphql',
    );
    await until(fan.token, (s) => s.includes('TICKET_OPEN:CANCELLED:preference-off') && s.length === 4, 'preferences applied');
    expect(await statuses(fan.token)).toEqual([
      'CONCERT_START:CANCELLED:preferences-changed',
      'CONCERT_START:CANCELLED:rescheduled',
      'CONCERT_START:PENDING',
      'TICKET_OPEN:CANCELLED:preference-off',
    ]);
    expect((await reminders(n.stack, fan.token)).find((r) => r.status === 'PENDING')!.fireAt).toBe(at(moved - 30 * MINUTE));
  });

  it('should send each fan one "cancelled" notice when a concert is cancelled, and when one is deleted', async () => {
    const [fan, other] = await Promise.all([signUp(n.stack), signUp(n.stack)]);
    const token = `fcm-cancel-${fan.user.id}`;
    await run(n.stack, 'RegisterDevice', { token, platform: 'IOS' }, fan.token, 'users.graphql');
    const [cancelled, deleted] = await Promise.all([
      createConcert(n.stack, admin.token, { title: 'Called Off', startsAt: at(Date.now() + 48 * HOUR) }),
      createConcert(n.stack, admin.token, { title: 'Taken Down', startsAt: at(Date.now() + 48 * HOUR) }),
    ]);
    for (const c of [cancelled, deleted]) for (const f of [fan, other]) await like(f.token, c.id);
    await until(fan.token, (s) => s.length === 2, 'scheduled');

    await run(n.stack, 'CancelConcert', { id: cancelled.id }, admin.token, 'concerts.graphql');
    await run(n.stack, 'DeleteConcert', { id: deleted.id }, admin.token, 'concerts.graphql');
    for (const f of [fan, other]) {
      await until(f.token, (s) => s.filter((x) => x === 'CONCERT_CANCELLED:SENT').length === 2, 'notices sent');
      expect(await statuses(f.token)).toEqual([
        'CONCERT_CANCELLED:SENT',
        'CONCERT_CANCELLED:SENT',
        'CONCERT_START:CANCELLED:concert-cancelled',
        'CONCERT_START:CANCELLED:concert-deleted',
      ]);
    }
    const list = await waitFor(
      () => notifications(fan.token),
      (c) => c.edges.length === 2,
      10_000,
      'two notices',
    );
    expect(list.unreadCount).toBe(2);
    expect(list.edges.map((e: any) => [e.node.kind, e.node.title, e.node.concert]).sort()).toEqual([
      ['CONCERT_CANCELLED', 'Called Off was cancelled', { id: cancelled.id, title: 'Called Off' }],
      ['CONCERT_CANCELLED', 'Taken Down was cancelled', null],
    ]);
    const ids = (await reminders(n.stack, fan.token)).filter((r) => r.kind === 'CONCERT_CANCELLED').map((r) => r.id);
    for (const id of ids) expect(n.fcm.countsBy(id, token)).toBe(1);
  });

  it('should page a user’s notifications newest first and mark all of them read at once', async () => {
    const fan = await signUp(n.stack);
    // Three shows starting in 30 minutes: their 2-hour start reminders are due at once.
    const shows = [];
    for (let i = 0; i < 3; i++) shows.push(await createConcert(n.stack, admin.token, { startsAt: at(Date.now() + 30 * MINUTE + i * MINUTE) }));
    for (const show of shows) await like(fan.token, show.id);
    await waitFor(
      () => notifications(fan.token),
      (c) => c.unreadCount === 3,
      20_000,
      'three notifications',
    );

    const first = await notifications(fan.token, { first: 2 });
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await notifications(fan.token, { first: 2, after: first.pageInfo.endCursor });
    expect(second.edges).toHaveLength(1);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const all = [...first.edges, ...second.edges].map((e: any) => e.node);
    expect(new Set(all.map((x: any) => x.id)).size).toBe(3);
    expect(all.map((x: any) => x.createdAt)).toEqual([...all.map((x: any) => x.createdAt)].sort().reverse());

    expect((await run(n.stack, 'MarkNotificationsRead', { ids: [] }, fan.token)).markNotificationsRead).toBe(0);
    expect((await ok(n.stack, 'mutation { markNotificationsRead }', {}, { token: fan.token })).markNotificationsRead).toBe(3);
    expect((await run(n.stack, 'MarkNotificationsRead', { ids: null }, fan.token)).markNotificationsRead).toBe(0);
    expect((await notifications(fan.token)).unreadCount).toBe(0);
  });

  it('should forget a deleted account’s reminders and notifications', async () => {
    const fan = await signUp(n.stack);
    const concert = await createConcert(n.stack, admin.token, { startsAt: at(Date.now() + 48 * HOUR), ticketOpenAt: at(Date.now() + 24 * HOUR) });
    await like(fan.token, concert.id);
    await until(fan.token, (s) => s.length === 2, 'scheduled');
    await run(n.stack, 'DeleteAccount', { password: fan.password }, fan.token, 'users.graphql');
    const store = n.workers.store;
    await waitFor(
      () => store.reminders.reminders.countDocuments({ userId: fan.user.id }),
      (count) => count === 0,
      10_000,
      'reminders forgotten',
    );
    expect(await store.settings.deletedUsers.countDocuments({ _id: fan.user.id })).toBe(1);
    // The like stays with the concert; reconciliation does not bring the reminders back.
    await n.workers.reconcile();
    expect(await store.reminders.reminders.countDocuments({ userId: fan.user.id })).toBe(0);
  });
});
