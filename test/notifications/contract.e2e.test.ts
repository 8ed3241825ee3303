import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, gql, ok, signUp, signUpAdmin } from '../support/harness.js';
import {
  HOUR,
  at,
  contractOperations,
  createConcert,
  op as contractOp,
  run,
  scheduled,
  startNotificationsStack,
  waitFor,
  type NotificationsStack,
} from './fixtures.js';

const op = (name: string) => contractOp(name).source;

let n: NotificationsStack;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
beforeAll(async () => {
  n = await startNotificationsStack();
  admin = await signUpAdmin(n.stack);
});
afterAll(() => n?.close());

describe('notifications contract operations through the router', () => {
  it('should cover every operation of notifications.graphql that is built', () => {
    // NotificationAdded (a subscription) runs verbatim in live.e2e.test.ts (graphql-ws) and test/router/sse.e2e.test.ts (SSE).
    expect(contractOperations('notifications.graphql').sort()).toEqual([
      'MarkNotificationsRead',
      'MyNotifications',
      'MyScheduledNotifications',
      'NotificationAdded',
    ]);
  });

  it('should push a liked concert’s ticket-open reminder when it is due, show it SENT, and list it unread until marked read', async () => {
    const { stack, fcm } = n;
    const fan = await signUp(stack);
    // Tickets open in an hour and a few seconds: the default 60-minute reminder is due in seconds.
    const ticketOpenAt = Date.now() + HOUR + 4_000;
    const concert = await createConcert(stack, admin.token, { title: 'Due Soon Live', startsAt: at(Date.now() + 6 * HOUR), ticketOpenAt: at(ticketOpenAt) });
    const token = `fcm-e2e-${fan.user.id}`;
    expect((await run(stack, 'RegisterDevice', { token, platform: 'ANDROID' }, fan.token, 'users.graphql')).registerDevice).toBe(true);
    expect((await run(stack, 'LikeConcert', { id: concert.id }, fan.token, 'concerts.graphql')).likeConcert).toMatchObject({
      id: concert.id,
      viewerHasLiked: true,
    });

    const pending = await waitFor(
      () => scheduled(stack, fan.token),
      (s) => s.length === 2,
      10_000,
      'two scheduled reminders',
    );
    expect(pending).toEqual([
      { id: expect.any(String), kind: 'TICKET_OPEN', fireAt: at(ticketOpenAt - HOUR), status: 'PENDING', concert: { id: concert.id, title: 'Due Soon Live' } },
      { id: expect.any(String), kind: 'CONCERT_START', fireAt: expect.any(String), status: 'PENDING', concert: { id: concert.id, title: 'Due Soon Live' } },
    ]);
    const reminderId = pending[0]!.id;

    // At the local FCM server, through firebase-admin, keyed by the reminder.
    await waitFor(
      async () => fcm.countsBy(reminderId, token),
      (count) => count === 1,
      20_000,
      'the push',
    );
    expect(Date.now()).toBeGreaterThanOrEqual(ticketOpenAt - HOUR);
    expect(fcm.pushes.find((p) => p.reminderId === reminderId)).toMatchObject({ token, title: 'Tickets open soon: Due Soon Live', collapseKey: reminderId });

    const after = await waitFor(
      () => scheduled(stack, fan.token),
      (s) => s.some((r) => r.status === 'SENT'),
      10_000,
      'SENT',
    );
    expect(after).toEqual([
      { id: pending[1]!.id, kind: 'CONCERT_START', fireAt: pending[1]!.fireAt, status: 'PENDING', concert: { id: concert.id, title: 'Due Soon Live' } },
      { id: reminderId, kind: 'TICKET_OPEN', fireAt: pending[0]!.fireAt, status: 'SENT', concert: { id: concert.id, title: 'Due Soon Live' } },
    ]);

    const { me } = await run(stack, 'MyNotifications', {}, fan.token);
    expect(me).toEqual({
      id: fan.user.id,
      notifications: {
        unreadCount: 1,
        pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
        edges: [
          {
            node: {
              id: reminderId,
              kind: 'TICKET_OPEN',
              title: 'Tickets open soon: Due Soon Live',
              body: 'Ticket sales for Due Soon Live open in 60 minutes.',
              createdAt: expect.any(String),
              readAt: null,
              concert: { id: concert.id, title: 'Due Soon Live' },
            },
          },
        ],
      },
    });

    expect((await run(stack, 'MarkNotificationsRead', { ids: [reminderId] }, fan.token)).markNotificationsRead).toBe(1);
    expect((await run(stack, 'MarkNotificationsRead', { ids: [reminderId] }, fan.token)).markNotificationsRead).toBe(0);
    const read = (await run(stack, 'MyNotifications', {}, fan.token)).me.notifications;
    expect(read.unreadCount).toBe(0);
    expect(read.edges[0].node.readAt).toEqual(expect.any(String));
  });

  it('should let only the user themself and admins read their notifications, and only signed-in users mark theirs', async () => {
    const { stack } = n;
    const [owner, other] = await Promise.all([signUp(stack), signUp(stack)]);
    const query = 'query($id: ID!) { user(id: $id) { id notifications { unreadCount totalCount } scheduledNotifications { id } } }';
    expect(codeOf(await gql(stack, query, { id: owner.user.id }, { token: other.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, query, { id: owner.user.id }))).toBe('UNAUTHENTICATED');
    expect((await ok(stack, query, { id: owner.user.id }, { token: admin.token })).user).toEqual({
      id: owner.user.id,
      notifications: { unreadCount: 0, totalCount: 0 },
      scheduledNotifications: [],
    });
    expect(codeOf(await gql(stack, op('MarkNotificationsRead'), { ids: null }))).toBe('UNAUTHENTICATED');
    const bad = await gql(stack, op('MarkNotificationsRead'), { ids: ['nope'] }, { token: owner.token });
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.field).toBe('ids[0]');
  });
});
