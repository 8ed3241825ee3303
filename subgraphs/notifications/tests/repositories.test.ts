import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { openScratch, type Scratch } from '@stagelives/devkit';
import { ensureNotificationIndexes, insertNew, notificationStore, type NotificationStore } from '../src/store.js';
import { planReminders, preferencesOf } from '../src/reminder/reminder.rules.js';

describe('notifications repositories on FerretDB', () => {
  let scratch: Scratch<'mongo'>;
  let store: NotificationStore;
  beforeAll(async () => {
    scratch = await openScratch({ mongoUri: inject('mongoUri') });
    store = notificationStore(scratch.db('notifications'));
  });
  afterAll(() => scratch?.close());

  it('should create its indexes twice without complaint', async () => {
    await ensureNotificationIndexes(scratch.db('notifications'), { ttlIndexes: false });
    await ensureNotificationIndexes(scratch.db('notifications'), { ttlIndexes: false });
    const names = (await store.reminders.reminders.indexes()).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['user_fireAt', 'concert_user', 'expireAt']));
  });

  it('should keep the push ledger in a database of its own beside the notifications one, with its indexes', async () => {
    const reminderId = new ObjectId().toHexString();
    const claimed = await store.ledger.claim([{ reminderId, userId: new ObjectId().toHexString(), token: 'ledger-db-token' }], new Date());
    expect(claimed.size).toBe(1);
    const [key] = [...claimed];
    const ledger = scratch.db('notifications_ledger');
    expect(await ledger.collection('push_claims').countDocuments({ _id: key as never })).toBe(1);
    expect(
      await scratch
        .db('notifications')
        .collection('push_claims')
        .countDocuments({ _id: key as never }),
    ).toBe(0);
    expect((await ledger.collection('push_receipts').indexes()).map((i) => i.name)).toEqual(expect.arrayContaining(['reminderId', 'expireAt']));
  });

  it('should insert only what is new and say which, whatever the batch size', async () => {
    const col = scratch.db('notifications').collection<{ _id: string; n: number }>('insert_new');
    await col.insertMany([
      { _id: 'a', n: 0 },
      { _id: 'c', n: 0 },
    ]);
    const docs = [
      { _id: 'a', n: 1 },
      { _id: 'b', n: 1 },
      { _id: 'c', n: 1 },
      { _id: 'd', n: 1 },
    ];
    expect([...(await insertNew(col, docs))]).toEqual([1, 3]);
    const many = Array.from({ length: 2500 }, (_, i) => ({ _id: `m${i}`, n: i }));
    expect((await insertNew(col, many)).size).toBe(2500);
    expect((await insertNew(col, many)).size).toBe(0);
  });

  it('should let the first decision about a reminder win when a send and a cancel race', async () => {
    const reminders = Array.from(
      { length: 30 },
      () =>
        planReminders(
          new ObjectId().toHexString(),
          { id: new ObjectId().toHexString(), title: 't', startsAt: new Date(Date.now() + 3_600_000), ticketOpenAt: null, status: 'UPCOMING' },
          preferencesOf(null),
          new Date(),
        )[0]!,
    );
    await store.reminders.insert(reminders);
    const [sent, cancelled] = await Promise.all([
      store.reminders.decide(reminders.map((reminder) => ({ reminder, status: 'SENT', reason: null }))),
      store.reminders.decide(reminders.map((reminder) => ({ reminder, status: 'CANCELLED', reason: 'unliked' }))),
    ]);
    expect(sent.size + cancelled.size).toBe(30);
    expect([...sent].filter((id) => cancelled.has(id))).toEqual([]);
    const outcomes = await store.reminders.outcomesOf(reminders.map((r) => r._id));
    for (const r of reminders) expect(outcomes.get(r._id.toHexString())!.status).toBe(sent.has(r._id.toHexString()) ? 'SENT' : 'CANCELLED');
    // Reopening applies to CANCELLED ones only.
    expect(await store.reminders.reopen(reminders.map((r) => r._id))).toBe(cancelled.size);
    expect((await store.reminders.outcomesOf(reminders.map((r) => r._id))).size).toBe(sent.size);
  });

  it('should count exactly how many notifications concurrent mark-read calls changed', async () => {
    const user = new ObjectId().toHexString();
    const other = new ObjectId().toHexString();
    const doc = (userId: string) => ({
      _id: new ObjectId(),
      userId,
      concertId: 'c',
      kind: 'CONCERT_START' as const,
      title: 't',
      body: 'b',
      createdAt: new Date(),
      expireAt: new Date(Date.now() + 3_600_000),
    });
    const mine = Array.from({ length: 40 }, () => doc(user));
    await store.notifications.insert([...mine, doc(other)]);
    const counts = await Promise.all([
      store.notifications.markRead(user, null),
      store.notifications.markRead(user, null),
      store.notifications.markRead(
        user,
        mine.slice(0, 20).map((d) => d._id),
      ),
      store.notifications.markRead(user, null),
    ]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(await store.notifications.countReads(user)).toBe(40);
    expect(await store.notifications.countReads(other)).toBe(0);
    // Someone else's ids change nothing.
    expect(
      await store.notifications.markRead(
        other,
        mine.map((d) => d._id),
      ),
    ).toBe(0);
  });
});
