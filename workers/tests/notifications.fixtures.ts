// Shared set-up of the notifications worker tests: a scratch prefix on the suite's FerretDB and
// Redis, the local FCM server with the real firebase-admin client, and seeding helpers that
// write what the other domains own (concerts, likes, devices, preferences) the way they do.
import { ObjectId, type Db } from 'mongodb';
import { inject } from 'vitest';
import { createLogger, type Logger } from '@stagelives/platform';
import { openScratch, startLocalFcmServer, type LocalFcmServer, type Scratch } from '@stagelives/devkit';
import { notificationStore, type NotificationStore, type ReminderPreferences, type ScheduledNotificationDocument } from '@stagelives/notifications/store';
import {
  concertEvent,
  notificationEvent,
  publishConcertEvents,
  publishNotificationEvents,
  publishUserEvents,
  userEvent,
  type ConcertEventPayloads,
  type ConcertEventTypeName,
  type NotificationEventPayloads,
  type NotificationEventTypeName,
  type UserEventPayloads,
  type UserEventTypeName,
} from '@stagelives/schema';
import { bullConnection, bullPrefix } from '../src/connection.js';
import { createPushSender, type PushSender } from '../src/push/index.js';
import { defaultNotificationsConfig, type NotificationsConfig } from '../src/notifications/notifications.config.js';
import { createNotificationWorkers, type NotificationWorkers, type NotificationWorkersDeps } from '../src/notifications/notifications.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export async function waitFor(check: () => Promise<boolean> | boolean, ms = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!(await check())) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Config for tests: quick holds and stall checks, no fact cache unless asked. */
function testConfig(overrides: Partial<NotificationsConfig> = {}): NotificationsConfig {
  return {
    ...defaultNotificationsConfig(),
    NOTIFICATIONS_RECHECK_CACHE_MS: 0,
    NOTIFICATIONS_PUSH_BACKOFF_MS: 200,
    NOTIFICATIONS_SEND_LOCK_MS: 5_000,
    NOTIFICATIONS_JOB_LOCK_MS: 5_000,
    NOTIFICATIONS_STALLED_CHECK_MS: 1_000,
    NOTIFICATIONS_EVENTS_CLAIM_IDLE_MS: 1_000,
    NOTIFICATIONS_BATCH_WAIT_MS: 5,
    ...overrides,
  };
}

export interface Harness {
  scratch: Scratch<'mongo' | 'redis'>;
  fcm: LocalFcmServer;
  push: PushSender;
  store: NotificationStore;
  concertsDb: Db;
  notificationsDb: Db;
  logger: Logger;
  /** Starts the notifications workers on this scratch space (stopped by close()). */
  start(options?: { config?: Partial<NotificationsConfig> } & Pick<NotificationWorkersDeps, 'run' | 'clock'>): Promise<NotificationWorkers>;
  /**
   * Stops every workers set started so far (each once, whether or not its test closed it): an
   * `afterEach`, so a test that fails half-way leaves no workers taking the next test's jobs.
   */
  stopStarted(): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(): Promise<Harness> {
  const scratch = await openScratch({ mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl') });
  const fcm = await startLocalFcmServer();
  const push = createPushSender({ mode: 'local', fcm: fcm.info });
  const logger = createLogger('notifications-test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const started: Array<{ workers: NotificationWorkers; connection: ReturnType<typeof bullConnection> }> = [];
  const stopStarted = async () => {
    for (const { workers, connection } of started.splice(0).reverse()) {
      await workers.close().catch(() => undefined);
      await connection.quit().catch(() => connection.disconnect());
    }
  };
  return {
    scratch,
    fcm,
    push,
    store: notificationStore(scratch.db('notifications')),
    concertsDb: scratch.db('concerts'),
    notificationsDb: scratch.db('notifications'),
    logger,
    start: async ({ config, run, clock } = {}) => {
      const connection = bullConnection(inject('redisUrl'));
      const workers = await createNotificationWorkers({
        config: testConfig(config),
        connection,
        bullPrefix: bullPrefix(scratch.redisPrefix),
        redis: scratch.redis,
        redisPrefix: scratch.redisPrefix,
        mongo: scratch.mongo,
        push,
        logger,
        ttlIndexes: false,
        run: { reconcileAtStart: false, ...run },
        clock,
      });
      // Closed by its test and again by stopStarted(): the second call waits on the first.
      const closeOnce = workers.close.bind(workers);
      let closing: Promise<void> | undefined;
      workers.close = () => (closing ??= closeOnce());
      started.push({ workers, connection });
      return workers;
    },
    stopStarted,
    close: async () => {
      await stopStarted();
      await push.close();
      await fcm.close();
      await scratch.close();
    },
  };
}

// ---- what the other domains write ----

export interface SeedConcert {
  _id: ObjectId;
  id: string;
  title: string;
  startsAt: Date;
  ticketOpenAt: Date | null;
}

let concertCount = 0;
/** A concert as the concerts subgraph stores it. */
export async function seedConcert(
  db: Db,
  { startsAt, ticketOpenAt = null, title, status = 'UPCOMING' }: { startsAt: Date; ticketOpenAt?: Date | null; title?: string; status?: string },
): Promise<SeedConcert> {
  const _id = new ObjectId();
  const name = title ?? `Concert ${(concertCount += 1)}`;
  await db.collection('concerts').insertOne({
    _id,
    title: name,
    description: null,
    artist: 'Band',
    artistKey: 'band',
    venue: 'Hall',
    startsAt,
    endsAt: null,
    effectiveEndsAt: new Date(startsAt.getTime() + 4 * HOUR),
    ticketOpenAt,
    status,
    posterUrl: null,
    createdBy: new ObjectId(),
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  return { _id, id: _id.toHexString(), title: name, startsAt, ticketOpenAt };
}

/** Changes a concert's dates or status as updateConcert / cancelConcert store them. */
export async function updateConcert(db: Db, id: string, set: Partial<{ startsAt: Date; ticketOpenAt: Date | null; status: string }>): Promise<void> {
  const extra = set.startsAt ? { effectiveEndsAt: new Date(set.startsAt.getTime() + 4 * HOUR) } : {};
  await db.collection('concerts').updateOne({ _id: new ObjectId(id) }, { $set: { ...set, ...extra, updatedAt: new Date() } });
}

/** A like, as the concerts subgraph's UserLinkRepository stores it (no event: see emitConcert). */
export async function seedLike(db: Db, concertId: string, userId: string): Promise<void> {
  await db.collection('likes').insertOne({ concertId: new ObjectId(concertId), userId: new ObjectId(userId), createdAt: new Date() });
}

export async function removeLike(db: Db, concertId: string, userId: string): Promise<void> {
  await db.collection('likes').deleteOne({ concertId: new ObjectId(concertId), userId: new ObjectId(userId) });
}

/** A device token, as SettingsRepository stores it. */
export async function seedDevice(db: Db, userId: string, token: string, at = new Date()): Promise<void> {
  await db
    .collection('device_tokens')
    .updateOne({ _id: token as never }, { $set: { userId, platform: 'ANDROID', updatedAt: at }, $setOnInsert: { createdAt: at } }, { upsert: true });
}

/** Many device tokens at once (one insert). */
export async function seedDevices(db: Db, devices: ReadonlyArray<{ userId: string; token: string }>): Promise<void> {
  const at = new Date();
  if (devices.length)
    await db
      .collection('device_tokens')
      .insertMany(devices.map((d) => ({ _id: d.token as never, userId: d.userId, platform: 'ANDROID', createdAt: at, updatedAt: at })));
}

export async function seedPreferences(db: Db, userId: string, preferences: Partial<ReminderPreferences>): Promise<void> {
  await db.collection('notification_preferences').updateOne({ _id: userId as never }, { $set: { ...preferences, updatedAt: new Date() } }, { upsert: true });
}

export async function emitConcert<K extends ConcertEventTypeName>(h: Harness, type: K, payload: ConcertEventPayloads[K]): Promise<void> {
  await publishConcertEvents(h.scratch.redis, h.scratch.redisPrefix, [concertEvent(type, payload)]);
}

export async function emitUser<K extends UserEventTypeName>(h: Harness, type: K, payload: UserEventPayloads[K]): Promise<void> {
  await publishUserEvents(h.scratch.redis, h.scratch.redisPrefix, [userEvent(type, payload)]);
}

export async function emitNotification<K extends NotificationEventTypeName>(h: Harness, type: K, payload: NotificationEventPayloads[K]): Promise<void> {
  await publishNotificationEvents(h.scratch.redis, h.scratch.redisPrefix, [notificationEvent(type, payload)]);
}

export const newUserId = () => new ObjectId().toHexString();

// ---- reading the outcome ----

export interface ReminderState {
  reminder: ScheduledNotificationDocument;
  status: string;
  reason: string | null;
}

/** Every reminder of a user (or of all users), with its status. */
export async function remindersOf(h: Harness, userId?: string): Promise<ReminderState[]> {
  const reminders = await h.store.reminders.reminders.find(userId ? { userId } : {}).toArray();
  const outcomes = new Map((await h.store.reminders.outcomes.find({}).toArray()).map((o) => [o._id.toHexString(), o]));
  return reminders.map((reminder) => {
    const outcome = outcomes.get(reminder._id.toHexString());
    return { reminder, status: outcome?.status ?? 'PENDING', reason: outcome?.reason ?? null };
  });
}

export const statusesOf = async (h: Harness, userId?: string) =>
  (await remindersOf(h, userId)).map((r) => `${r.reminder.kind}:${r.status}${r.reason ? `:${r.reason}` : ''}`).sort();

/** The BullMQ job ids in the send queue, with their state. */
export async function jobsOf(workers: NotificationWorkers): Promise<Array<{ id: string; state: string }>> {
  const jobs = await workers.sendQueue.getJobs(['delayed', 'waiting', 'active', 'prioritized']);
  return Promise.all(jobs.filter(Boolean).map(async (j) => ({ id: j.id!, state: await j.getState() })));
}
