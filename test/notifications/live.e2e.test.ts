import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationUserChannel } from '@stagelives/schema';
import { signUp, signUpAdmin } from '../support/harness.js';
import { collect, eventually, wsClient } from '../support/live.js';
import { MINUTE, at, createConcert, op, run, startNotificationsStack, type NotificationsStack } from './fixtures.js';

let n: NotificationsStack;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
beforeAll(async () => {
  n = await startNotificationsStack();
  admin = await signUpAdmin(n.stack);
});
afterAll(() => n?.close());

/** The client contract's subscription, verbatim. */
const NOTIFICATION_ADDED = op('NotificationAdded').source;

/** Router instances listening on a user's notification channel (Redis PUBSUB NUMSUB). */
const listeners = async (userId: string) => {
  const [, count] = (await n.stack.redis.pubsub('NUMSUB', notificationUserChannel(`${n.stack.prefix}:`, userId))) as [string, number];
  return Number(count);
};

/** A concert starting in 30 minutes: a fan who likes it gets its start reminder (2 hours ahead) at once. */
const startingSoon = (title: string) => createConcert(n.stack, admin.token, { title, startsAt: at(Date.now() + 30 * MINUTE) });
const like = (token: string, id: string) => run(n.stack, 'LikeConcert', { id }, token, 'concerts.graphql');
const unread = async (token: string) => (await run(n.stack, 'MyNotifications', {}, token)).me.notifications;

describe('notifications: notificationAdded (live, through the router’s subscription path)', () => {
  it('should deliver a fan’s new notification the moment the worker records it, on any router instance, and nobody else’s', async () => {
    const [fan, other] = await Promise.all([signUp(n.stack), signUp(n.stack)]);
    const extra = await n.stack.extraRouter();
    const fanClient = wsClient(extra.wsUrl, fan.token);
    const otherClient = wsClient(n.stack.wsUrl, other.token);
    try {
      const fanFeed = collect(fanClient, NOTIFICATION_ADDED, {});
      const otherFeed = collect(otherClient, NOTIFICATION_ADDED, {});
      await eventually(async () => (await listeners(fan.user.id)) === 1 && (await listeners(other.user.id)) === 1, 5_000, 'both subscribed');

      const show = await startingSoon('Live Wire');
      await like(fan.token, show.id);
      const [event] = await fanFeed.waitFor(1, 15_000);
      const added = event!.data!.notificationAdded;
      expect(event!.errors).toBeUndefined();
      expect(added).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        kind: 'CONCERT_START',
        title: expect.stringContaining('Live Wire'),
        body: expect.any(String),
        createdAt: expect.any(String),
        readAt: null,
        concert: { id: show.id, title: 'Live Wire' },
      });
      // What the list says right after agrees with the event.
      const list = await unread(fan.token);
      expect(list.unreadCount).toBe(1);
      expect(list.edges.map((e: any) => e.node)).toEqual([added]);

      // The other user, subscribed all along, got nothing of the fan's; then gets exactly their own.
      expect(otherFeed.results).toEqual([]);
      const theirs = await startingSoon('Other Show');
      await like(other.token, theirs.id);
      const [own] = await otherFeed.waitFor(1, 15_000);
      expect(own!.data!.notificationAdded.concert).toEqual({ id: theirs.id, title: 'Other Show' });
      expect((await unread(other.token)).edges.map((e: any) => e.node.id)).toEqual([own!.data!.notificationAdded.id]);
      expect(fanFeed.results).toHaveLength(1);
      expect(otherFeed.results).toHaveLength(1);

      // Marked read, the count agrees again.
      await run(n.stack, 'MarkNotificationsRead', { ids: [added.id] }, fan.token);
      expect((await unread(fan.token)).unreadCount).toBe(0);
    } finally {
      await fanClient.dispose();
      await otherClient.dispose();
      await extra.close();
    }
  });

  it('should stop listening on the user’s channel when the last subscriber goes', async () => {
    const fan = await signUp(n.stack);
    const client = wsClient(n.stack.wsUrl, fan.token);
    const feed = collect(client, NOTIFICATION_ADDED, {});
    await eventually(async () => (await listeners(fan.user.id)) === 1, 5_000, 'subscribed');
    feed.stop();
    await eventually(async () => (await listeners(fan.user.id)) === 0, 5_000, 'unsubscribed');
    await client.dispose();
  });
});
