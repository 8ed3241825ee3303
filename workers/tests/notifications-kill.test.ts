import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { createLogger } from '@stagelives/platform';
import { openScratch, startLocalFcmServer, type LocalFcmServer, type Scratch } from '@stagelives/devkit';
import { ReminderScheduler, ledgerKey, notificationStore, planReminders, preferencesOf, type PlannedReminder } from '@stagelives/notifications/store';
import { ReminderSource } from '@stagelives/concerts/reminder-source';
import { bullConnection, bullPrefix } from '../src/connection.js';
import { localFcmEnv } from '../src/push/index.js';
import { createSendQueue, sendQueueJobs } from '../src/notifications/notifications.queue.js';
import { MINUTE, seedConcert, waitFor } from './notifications.fixtures.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const USERS = 250;
const CONCERTS = 4;
const DEVICES_PER_USER = 2;
/** What one worker process may have in flight: jobs it runs at once, each pushing to every device of its fan. */
const CONCURRENCY = 100;
const BATCH = 50;

/**
 * Real worker processes (`node --import tsx workers/src/index.ts`, the production entry) against
 * the suite's FerretDB and Redis and the local FCM server: one is killed with SIGKILL in the
 * middle of a batch of 1,000 reminders, then two are started.
 */
describe('notifications workers: killed with SIGKILL mid-batch', () => {
  let scratch: Scratch<'mongo' | 'redis'>;
  let fcm: LocalFcmServer;
  const children = new Set<ChildProcess>();
  let killAt = Infinity;
  let killed: ChildProcess | null = null;

  beforeAll(async () => {
    scratch = await openScratch({ mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl') });
    fcm = await startLocalFcmServer({
      onPush: () => {
        if (killed || fcm.stats.accepted < killAt) return;
        killed = [...children][0] ?? null;
        killed?.kill('SIGKILL');
      },
    });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fcm?.close();
    await scratch?.close();
  });

  /** Starts `workers/src/index.ts` on this test's prefixes; resolves once it logged "workers ready". */
  function startWorkerProcess(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/src/index.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        ...scratch.env,
        IDENTITY_SECRET: randomBytes(32).toString('hex'),
        ...localFcmEnv(fcm.info),
        NOTIFICATIONS_SEND_CONCURRENCY: String(CONCURRENCY),
        NOTIFICATIONS_BATCH_SIZE: String(BATCH),
        NOTIFICATIONS_JOB_LOCK_MS: '2000',
        NOTIFICATIONS_STALLED_CHECK_MS: '500',
        NOTIFICATIONS_SEND_LOCK_MS: '2000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const output: string[] = [];
    return new Promise((resolve, reject) => {
      const onLine = (chunk: Buffer) => {
        const text = chunk.toString();
        output.push(text);
        if (text.includes('workers ready')) resolve(child);
      };
      child.stdout!.on('data', onLine);
      child.stderr!.on('data', onLine);
      child.once('exit', (code, signal) => reject(new Error(`worker exited (${signal ?? code}) before it was ready:\n${output.join('').slice(-2000)}`)));
    });
  }

  const exited = (child: ChildProcess) =>
    new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

  it('should send every reminder, each (reminder, device) at most once except the pushes in flight at the kill', async () => {
    const store = notificationStore(scratch.db('notifications'));
    const concertsDb = scratch.db('concerts');
    const concerts = await Promise.all(Array.from({ length: CONCERTS }, () => seedConcert(concertsDb, { startsAt: new Date(Date.now() + 30 * MINUTE) })));
    const users = Array.from({ length: USERS }, () => new ObjectId());
    await concertsDb.collection('likes').insertMany(concerts.flatMap((c) => users.map((u) => ({ concertId: c._id, userId: u, createdAt: new Date() }))));
    const tokens = (u: ObjectId) => Array.from({ length: DEVICES_PER_USER }, (_, d) => `kill-${d}-${u.toHexString()}`);
    await store.settings.devices.insertMany(
      users.flatMap((u) => tokens(u).map((t) => ({ _id: t, userId: u.toHexString(), platform: 'ANDROID', createdAt: new Date(), updatedAt: new Date() }))),
    );
    // 1,000 start reminders, all due at once (the shows start in 30 minutes, the lead is 2 hours).
    const planned: PlannedReminder[] = concerts.flatMap((c) =>
      users.flatMap((u) => planReminders(u.toHexString(), { ...c, status: 'UPCOMING' }, preferencesOf(null), new Date())),
    );
    expect(planned).toHaveLength(USERS * CONCERTS);
    const connection = bullConnection(inject('redisUrl'));
    const queue = createSendQueue(connection, bullPrefix(scratch.redisPrefix), { attempts: 8, backoffMs: 200 });
    const scheduler = new ReminderScheduler({
      store,
      source: new ReminderSource(concertsDb),
      jobs: sendQueueJobs(queue, scratch.redis),
      logger: createLogger('kill-test', 'silent'),
    });
    await scheduler.schedule(planned);
    const total = planned.length * DEVICES_PER_USER;

    // One worker process; killed once it pushed about a third.
    killAt = Math.floor(total / 3);
    const t0 = Date.now();
    const mark = (what: string) => console.info(`kill test: ${what} at ${Date.now() - t0} ms`);
    const first = await startWorkerProcess();
    mark('first ready');
    await exited(first);
    mark('killed');
    expect(first.signalCode).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 300)); // answers to requests already on the wire land
    const pushedBeforeRestart = fcm.stats.accepted;
    const inFlight = await store.ledger.unconfirmed();
    const inFlightKeys = new Set(inFlight.map((c) => c._id));
    expect(pushedBeforeRestart).toBeGreaterThanOrEqual(killAt);
    expect(pushedBeforeRestart).toBeLessThan(total);
    // Bounded by what one process can have in flight: its concurrent jobs × the devices of each.
    expect(inFlight.length).toBeLessThanOrEqual(CONCURRENCY * DEVICES_PER_USER);

    // Restarted: two processes finish the batch between them.
    const [second, third] = await Promise.all([startWorkerProcess(), startWorkerProcess()]);
    mark('restarted');
    await waitFor(async () => (await store.reminders.outcomes.countDocuments({ status: 'SENT' })) === planned.length, 60_000, 'every reminder SENT');
    mark('all SENT');
    await waitFor(async () => (await store.ledger.unconfirmed()).length === 0, 30_000, 'every push confirmed');
    mark('all confirmed');
    expect(await store.notifications.notifications.countDocuments({})).toBe(planned.length);

    let duplicates = 0;
    for (const r of planned) {
      for (const token of tokens(new ObjectId(r.userId))) {
        const count = fcm.countsBy(r._id.toHexString(), token);
        const key = ledgerKey(r._id.toHexString(), token);
        expect(count, key).toBeGreaterThanOrEqual(1);
        expect(count, key).toBeLessThanOrEqual(inFlightKeys.has(key) ? 2 : 1);
        duplicates += count - 1;
      }
    }
    expect(duplicates).toBeLessThanOrEqual(inFlight.length);
    console.info(
      `kill test: ${total} pushes owed, ${pushedBeforeRestart} before the kill, ${inFlight.length} in flight at the kill, ${duplicates} sent twice, ${fcm.stats.accepted} accepted in all`,
    );

    for (const child of [second, third]) child.kill('SIGTERM');
    await Promise.all([exited(second), exited(third)]);
    await queue.close();
    await connection.quit();
  }, 120_000);
});
