import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ObjectId, type CommandStartedEvent } from 'mongodb';
import { connectMongo, createRedis, type Mongo, type Redis } from '@stagelives/platform';
import { ConcertEventType, concertEvent, concertEventsStream, publishConcertEvents } from '@stagelives/schema';
import { ReminderSource } from '@stagelives/concerts/reminder-source';
import { FactsCache, notificationStore, streamLikeChanges, type FactsRequest, type NotificationStore } from '@stagelives/notifications/store';
import { HOUR, seedConcert, seedDevice, seedLike, seedPreferences } from './notifications.fixtures.js';

describe(FactsCache.name, () => {
  const prefix = `t${randomBytes(4).toString('hex')}_`;
  let mongo: Mongo;
  let store: NotificationStore;
  let redis: Redis;
  const commands: CommandStartedEvent[] = [];
  beforeAll(async () => {
    redis = createRedis(inject('redisUrl'));
    mongo = await connectMongo(inject('mongoUri'), { dbPrefix: prefix, monitorCommands: true });
    mongo.client.on('commandStarted', (e) => commands.push(e));
    store = notificationStore(mongo.db('notifications'));
  });
  afterAll(async () => {
    for (const name of ['notifications', 'concerts']) await mongo.db(name).dropDatabase();
    await mongo.close();
    await redis.del(concertEventsStream(prefix));
    await redis.quit();
  });

  /** Finds run per collection since the last reset, and whether each read the whole collection. */
  const finds = () =>
    commands
      .filter((c) => c.commandName === 'find')
      .map((c) => `${c.command.find}${Object.keys(c.command.filter ?? {}).length ? '' : ' (all)'}`)
      .sort();

  it('should read whole collections once for a large batch, serve later batches from them, and read again for reminders queued after', async () => {
    const concert = await seedConcert(mongo.db('concerts'), { startsAt: new Date(Date.now() + 30 * HOUR) });
    const users = Array.from({ length: 250 }, () => new ObjectId().toHexString());
    await mongo
      .db('concerts')
      .collection('likes')
      .insertMany(users.slice(0, 200).map((u) => ({ concertId: concert._id, userId: new ObjectId(u), createdAt: new Date() })));
    await store.settings.devices.insertMany(
      users.map((u) => ({ _id: `facts-${u}`, userId: u, platform: 'ANDROID', createdAt: new Date(), updatedAt: new Date() })),
    );
    await seedPreferences(mongo.db('notifications'), users[0]!, { concertStart: false });
    const queuedAt = Date.now() - 1000;
    const requests: FactsRequest[] = users.map((userId) => ({ userId, concertId: concert.id, queuedAt }));
    const cache = new FactsCache({ source: new ReminderSource(mongo.db('concerts')), settings: store.settings, ttlMs: 60_000 });

    commands.length = 0;
    const first = await cache.facts(requests);
    // The batch's concert, the upcoming concerts and their likes, and every user's settings.
    expect(finds()).toEqual(['concerts', 'concerts', 'deleted_users (all)', 'device_tokens (all)', 'likes', 'notification_preferences (all)']);
    expect(users.filter((u) => first.liked(concert.id, u))).toEqual(users.slice(0, 200));
    expect(first.devices(users[7]!).map((d) => d._id)).toEqual([`facts-${users[7]}`]);
    expect(first.preferences(users[0]!).concertStart).toBe(false);
    expect(first.preferences(users[1]!).concertStart).toBe(true);
    expect(first.cached(requests[0]!)).toBe(false);
    // The size guard in front of the whole reads asks the collection statistics, never a `count`
    // (which FerretDB answers by decoding every document).
    expect(commands.filter((c) => c.commandName === 'count')).toEqual([]);
    expect(commands.filter((c) => c.commandName === 'aggregate').map((c) => Object.keys((c.command.pipeline as object[])[0]!)[0])).toEqual([
      '$collStats',
      '$collStats',
      '$collStats',
    ]);

    // Later batches of the same reminders: only the concert is read.
    commands.length = 0;
    const second = await cache.facts(requests.slice(0, 300));
    expect(finds()).toEqual(['concerts']);
    expect(second.cached(requests[0]!)).toBe(true);
    expect(second.liked(concert.id, users[0]!)).toBe(true);

    // A reminder queued after the snapshot: its facts are read again (by key: one reminder).
    const late = users[249]!;
    await seedLike(mongo.db('concerts'), concert.id, late);
    await seedDevice(mongo.db('notifications'), late, `late-${late}`);
    commands.length = 0;
    const third = await cache.facts([{ userId: late, concertId: concert.id, queuedAt: Date.now() }]);
    expect(finds().filter((f) => f !== 'concerts')).toEqual(['deleted_users', 'device_tokens', 'likes', 'notification_preferences']);
    expect(third.liked(concert.id, late)).toBe(true);
    expect(
      third
        .devices(late)
        .map((d) => d._id)
        .sort(),
    ).toEqual([`facts-${late}`, `late-${late}`]);

    // `fresh` bypasses everything cached.
    commands.length = 0;
    const fresh = await cache.facts([requests[3]!], { fresh: true });
    expect(finds().filter((f) => f !== 'concerts')).toEqual(['deleted_users', 'device_tokens', 'likes', 'notification_preferences']);
    expect(fresh.cached(requests[3]!)).toBe(false);
  });

  it('should read by key only, every time, with no cache', async () => {
    const concert = await seedConcert(mongo.db('concerts'), { startsAt: new Date(Date.now() + 30 * HOUR) });
    const user = new ObjectId().toHexString();
    await seedLike(mongo.db('concerts'), concert.id, user);
    const cache = new FactsCache({ source: new ReminderSource(mongo.db('concerts')), settings: store.settings, ttlMs: 0 });
    const request = { userId: user, concertId: concert.id, queuedAt: 0 };
    for (let i = 0; i < 2; i++) {
      commands.length = 0;
      const facts = await cache.facts([request]);
      expect(finds().filter((f) => f !== 'concerts')).toEqual(['deleted_users', 'device_tokens', 'likes', 'notification_preferences']);
      expect(facts.liked(concert.id, user)).toBe(true);
      expect(facts.cached(request)).toBe(false);
    }
  });

  it('should read by key instead of whole collections larger than snapshotMax, as the collection statistics count them', async () => {
    const concert = await seedConcert(mongo.db('concerts'), { startsAt: new Date(Date.now() + 30 * HOUR) });
    const users = Array.from({ length: 220 }, () => new ObjectId().toHexString());
    await mongo
      .db('concerts')
      .collection('likes')
      .insertMany(users.map((u) => ({ concertId: concert._id, userId: new ObjectId(u), createdAt: new Date() })));
    const likes = await mongo.db('concerts').collection('likes').countDocuments();
    const cache = new FactsCache({ source: new ReminderSource(mongo.db('concerts')), settings: store.settings, ttlMs: 60_000, snapshotMax: likes - 1 });
    commands.length = 0;
    const facts = await cache.facts(users.map((userId) => ({ userId, concertId: concert.id, queuedAt: Date.now() - 1000 })));
    // Likes: one more than allowed, so read by pair; settings (fewer): whole.
    expect(finds()).not.toContain('likes (all)');
    expect(commands.filter((c) => c.commandName === 'find' && c.command.find === 'likes').length).toBeGreaterThan(0);
    expect(users.every((u) => facts.liked(concert.id, u))).toBe(true);
  });

  describe('with the concert events stream as the like change feed', () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const likeReads = () => finds().filter((f) => f.startsWith('likes'));

    async function fans(count: number) {
      const concert = await seedConcert(mongo.db('concerts'), { startsAt: new Date(Date.now() + 30 * HOUR) });
      const users = Array.from({ length: count }, () => new ObjectId().toHexString());
      await mongo
        .db('concerts')
        .collection('likes')
        .insertMany(users.map((u) => ({ concertId: concert._id, userId: new ObjectId(u), createdAt: new Date() })));
      const queuedAt = Date.now() - 1000;
      return { concert, users, requests: users.map((userId): FactsRequest => ({ userId, concertId: concert.id, queuedAt })) };
    }
    // Settings expire after 150 ms; likes are kept for a minute, exact from the stream.
    const cacheWithFeed = () =>
      new FactsCache({
        source: new ReminderSource(mongo.db('concerts')),
        settings: store.settings,
        ttlMs: 150,
        likesTtlMs: 60_000,
        likeChanges: streamLikeChanges(redis, prefix),
      });

    it('should keep using the likes read whole past ttlMs, and read by key only the pairs an event changed since', async () => {
      const { concert, users, requests } = await fans(210);
      const cache = cacheWithFeed();
      commands.length = 0;
      await cache.facts(requests);
      expect(likeReads()).toEqual(['likes']); // the upcoming concerts' likes, whole

      // users[0] unlikes (the like document goes, then its event), users[1] unlikes with its event lost.
      await mongo
        .db('concerts')
        .collection('likes')
        .deleteOne({ concertId: concert._id, userId: new ObjectId(users[0]) });
      await publishConcertEvents(redis, prefix, [concertEvent(ConcertEventType.Unliked, { concertId: concert.id, userId: users[0]! })]);
      await mongo
        .db('concerts')
        .collection('likes')
        .deleteOne({ concertId: concert._id, userId: new ObjectId(users[1]) });
      await sleep(300); // past ttlMs
      commands.length = 0;
      const later = await cache.facts(requests);
      // Only the changed pair is read; the rest comes from the snapshot, although older than ttlMs.
      const pairReads = commands.filter((c) => c.commandName === 'find' && c.command.find === 'likes');
      expect(pairReads).toHaveLength(1);
      expect(JSON.stringify(pairReads[0]!.command.filter)).toContain(users[0]!);
      expect(later.liked(concert.id, users[0]!)).toBe(false);
      expect(later.liked(concert.id, users[5]!)).toBe(true);
      // The lost event: the snapshot still says liked, as cached (a negative verdict is never reached on it).
      expect(later.liked(concert.id, users[1]!)).toBe(true);
      expect(later.cached(requests[1]!)).toBe(true);
    });

    it('should read the likes whole again when the stream lost entries since the snapshot (trimmed)', async () => {
      const { concert, users, requests } = await fans(210);
      const cache = cacheWithFeed();
      await cache.facts(requests);
      await publishConcertEvents(redis, prefix, [concertEvent(ConcertEventType.Liked, { concertId: concert.id, userId: users[2]! })]);
      await redis.xtrim(concertEventsStream(prefix), 'MAXLEN', 0);
      commands.length = 0;
      const facts = await cache.facts(requests);
      expect(likeReads()).toEqual(['likes']);
      expect(facts.liked(concert.id, users[2]!)).toBe(true);
    });
  });
});
