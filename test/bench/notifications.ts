/**
 * Notifications benchmark (part of `npm run bench`; alone: `BENCH_ONLY=notifications npm run bench`).
 *
 * 1. Seeds what the other domains own, as they store it: concerts (their shows and ticket sales
 *    inside the reminder lead, so every reminder is due at once), fans' likes and one device per
 *    fan, on a scratch prefix of the bench's FerretDB and Redis.
 * 2. **Scheduling**: `ReminderScheduler.schedule` of every planned reminder in bulk (the path
 *    the reconciliation and big events take): reminder documents + BullMQ jobs, reminders/s.
 * 3. **Dispatch**: worker processes (the production entry as the image runs it, `BENCH_RUNTIME`
 *    in children.ts; send part only) send them through the real firebase-admin client to the local FCM v1
 *    server, itself in another process (`notifications-fcm.ts`). Pushes/s from the first to the
 *    last push the server accepted, and end to end until every reminder is SENT and every push it
 *    claimed has its receipt.
 * 4. **Counted by the server**: each (reminder, device) pushed once: lost = owed but never
 *    accepted, duplicated = accepted more than once.
 *
 * Environment:
 *   BENCH_NOTIFY_REMINDERS  reminders (default 100000; fans × concerts × 2 kinds, 10 concerts)
 *   BENCH_NOTIFY_WORKERS    worker processes (default 2)
 *   BENCH_NOTIFY_TIMEOUT_S  longest wait for every reminder to be SENT (default 600)
 *   BENCH_NOTIFY_CPU_PROF   a directory: the worker processes run with --cpu-prof and write their profiles there
 *   BENCH_NOTIFY_LOG_LEVEL  the workers' log level; at `debug` their per-batch timings ("batch sent") are printed
 *   NOTIFICATIONS_*         passed to the worker processes (e.g. NOTIFICATIONS_SEND_CONCURRENCY)
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { createLogger } from '@stagelives/platform';
import { announcedPort, forkNode, openScratch, stopChild, type LocalFcmServerInfo } from '@stagelives/devkit';
import { ReminderScheduler, notificationStore, planReminders, preferencesOf, type PlannedReminder } from '@stagelives/notifications/store';
import { ReminderSource } from '@stagelives/concerts/reminder-source';
import { bullConnection, bullPrefix, createSendQueue, localFcmEnv, sendQueueJobs } from '@stagelives/workers/notifications';
import { forkEntry, serviceEntry } from './children.js';
import { saveResults } from './peers/report.js';

/** The targets on this 2-core machine. */
export const NOTIFY_TARGETS = { minScheduledPerSecond: 5_000, minPushesPerSecond: 2_000 };

const CONCERTS = 10;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};

export async function runNotifications({ mongoUri, redisUrl }: { mongoUri: string; redisUrl: string }): Promise<{ failed: boolean }> {
  const wanted = num('BENCH_NOTIFY_REMINDERS', 100_000);
  const workerCount = num('BENCH_NOTIFY_WORKERS', 2);
  const timeoutMs = num('BENCH_NOTIFY_TIMEOUT_S', 600) * 1000;
  const fans = Math.ceil(wanted / (CONCERTS * 2));
  const scratch = await openScratch({ mongoUri, redisUrl });
  const fcm = forkEntry('fcm', 'test/bench/notifications-fcm.ts', { ...process.env });
  const workers: ChildProcess[] = [];
  const connection = bullConnection(redisUrl);
  try {
    const { info: fcmInfo } = await fcm.request<{ info: LocalFcmServerInfo }>({ type: 'info' });

    // 1. What the other domains own: concerts whose reminders are all due now, likes, devices.
    const concertsDb = scratch.db('concerts');
    const store = notificationStore(scratch.db('notifications'));
    const now = Date.now();
    const concerts = Array.from({ length: CONCERTS }, (_, i) => {
      const _id = new ObjectId();
      const startsAt = new Date(now + 30 * MINUTE + i * MINUTE);
      return {
        _id,
        title: `Bench show ${i + 1}`,
        description: null,
        artist: 'Band',
        artistKey: 'band',
        venue: 'Hall',
        startsAt,
        endsAt: null,
        effectiveEndsAt: new Date(startsAt.getTime() + 4 * HOUR),
        ticketOpenAt: new Date(now + 10 * MINUTE + i * MINUTE),
        status: 'UPCOMING',
        // Every fan likes every concert; stored as the concerts domain keeps it (else the
        // workers' like recount would find every count wrong and repair them mid-run).
        likeCount: fans,
        posterUrl: null,
        createdBy: new ObjectId(),
        createdAt: new Date(now),
        updatedAt: new Date(now),
      };
    });
    await concertsDb.collection('concerts').insertMany(concerts);
    const users = Array.from({ length: fans }, () => new ObjectId());
    const token = (u: ObjectId) => `bench-${u.toHexString()}`;
    const seedStart = Date.now();
    for (let i = 0; i < users.length; i += 5_000) {
      const slice = users.slice(i, i + 5_000);
      await concertsDb.collection('likes').insertMany(concerts.flatMap((c) => slice.map((u) => ({ concertId: c._id, userId: u, createdAt: new Date(now) }))));
      await store.settings.devices.insertMany(
        slice.map((u) => ({ _id: token(u), userId: u.toHexString(), platform: 'ANDROID', createdAt: new Date(now), updatedAt: new Date(now) })),
      );
    }
    const planned: PlannedReminder[] = concerts.flatMap((c) =>
      users.flatMap((u) =>
        planReminders(
          u.toHexString(),
          { id: c._id.toHexString(), title: c.title, startsAt: c.startsAt, ticketOpenAt: c.ticketOpenAt, status: 'UPCOMING' },
          preferencesOf(null),
          new Date(),
        ),
      ),
    );
    console.info(
      `notifications bench: seeded ${CONCERTS} concerts, ${fans} fans, ${fans * CONCERTS} likes, ${fans} devices in ${Date.now() - seedStart} ms; ${planned.length} reminders planned`,
    );

    // 2. Scheduling in bulk.
    const queue = createSendQueue(connection, bullPrefix(scratch.redisPrefix), { attempts: 8, backoffMs: 2_000 });
    const scheduler = new ReminderScheduler({
      store,
      source: new ReminderSource(concertsDb),
      jobs: sendQueueJobs(queue, scratch.redis),
      logger: createLogger('bench-scheduler', 'silent'),
    });
    const scheduleStart = performance.now();
    const scheduled = await scheduler.schedule(planned);
    const scheduleSeconds = (performance.now() - scheduleStart) / 1000;
    const scheduledPerSecond = planned.length / scheduleSeconds;
    console.info(
      `notifications bench: scheduled ${scheduled.inserted} reminders, ${scheduled.queued} jobs in ${scheduleSeconds.toFixed(1)} s (${Math.round(scheduledPerSecond)}/s)`,
    );

    // 3. Dispatch by worker processes.
    const worker = serviceEntry('workers');
    const dispatchStart = Date.now();
    const startWorker = async () => {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        LOG_LEVEL: process.env.BENCH_NOTIFY_LOG_LEVEL ?? 'info',
        ...scratch.env,
        IDENTITY_SECRET: randomBytes(32).toString('hex'),
        NOTIFICATIONS_PARTS: 'send',
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('NOTIFICATIONS_'))),
        ...localFcmEnv(fcmInfo),
      };
      const profile = process.env.BENCH_NOTIFY_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_NOTIFY_CPU_PROF}`] : [];
      const child = forkNode(worker.entry, {
        env,
        execArgv: [...profile, ...worker.execArgv],
        onLine: (line) => {
          if (/"level":(50|60)/.test(line) || line.includes('"batch sent"')) console.error(`[worker] ${line.slice(0, 500)}`);
        },
      });
      workers.push(child);
      await announcedPort(child, 'a worker');
    };
    await Promise.all(Array.from({ length: workerCount }, startWorker));
    const readyMs = Date.now() - dispatchStart;
    const deadline = Date.now() + timeoutMs;
    // Done when the send queue is empty (every job finished) and the FCM server accepted every
    // push owed. Watched in Redis and the FCM server only: a database poll (a count of SENT
    // outcomes is a scan of a 100,000-document collection on FerretDB) would take the very CPU
    // being measured. The outcomes and the ledger are read once, at the end.
    const owed = planned.length; // one device per fan
    while (Date.now() < deadline) {
      const [counts, { accepted }] = await Promise.all([
        queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'),
        fcm.request<{ accepted: number }>({ type: 'stats' }),
      ]);
      const left = Object.values(counts).reduce((a, b) => a + b, 0);
      if (left === 0 && accepted >= owed) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const endToEndSeconds = (Date.now() - dispatchStart) / 1000;
    const sent = await store.reminders.outcomes.countDocuments({ status: 'SENT' });
    const unconfirmed = (await store.ledger.unconfirmed()).length;
    const stats = await fcm.request<{ accepted: number; firstAt: number; lastAt: number }>({ type: 'stats' });
    const pushSeconds = Math.max(0.001, (stats.lastAt - stats.firstAt) / 1000);
    const pushesPerSecond = stats.accepted / pushSeconds;

    // 4. Counted by the server.
    const { counts } = await fcm.request<{ counts: Array<[string, number]> }>({ type: 'counts' });
    const byKey = new Map(counts);
    let lost = 0;
    let duplicated = 0;
    for (const r of planned) {
      const times = byKey.get(`${r._id.toHexString()}.${token(new ObjectId(r.userId))}`) ?? 0;
      if (times === 0) lost += 1;
      if (times > 1) duplicated += times - 1;
      byKey.delete(`${r._id.toHexString()}.${token(new ObjectId(r.userId))}`);
    }
    const unexpected = [...byKey.values()].reduce((a, b) => a + b, 0);

    console.info('\nNotifications: bulk scheduling, then dispatch by worker processes through firebase-admin to the local FCM v1 server (another process)');
    const row = {
      reminders: planned.length,
      'scheduled/s': Math.round(scheduledPerSecond),
      'schedule s': Number(scheduleSeconds.toFixed(1)),
      workers: workerCount,
      'workers ready ms': readyMs,
      SENT: sent,
      'pushes accepted': stats.accepted,
      'pushes/s': Math.round(pushesPerSecond),
      'dispatch s (first → last push)': Number(pushSeconds.toFixed(1)),
      'end to end s': Number(endToEndSeconds.toFixed(1)),
      lost,
      duplicated,
      unexpected,
    };
    console.table([row]);
    const checks = [
      {
        target: `≥ ${NOTIFY_TARGETS.minScheduledPerSecond} reminders/s scheduled`,
        measured: `${Math.round(scheduledPerSecond)}/s`,
        verdict: scheduledPerSecond >= NOTIFY_TARGETS.minScheduledPerSecond ? 'PASS' : 'FAIL',
      },
      {
        target: `≥ ${NOTIFY_TARGETS.minPushesPerSecond} pushes/s dispatched`,
        measured: `${Math.round(pushesPerSecond)}/s with ${workerCount} worker processes`,
        verdict: pushesPerSecond >= NOTIFY_TARGETS.minPushesPerSecond ? 'PASS' : 'FAIL',
      },
      {
        target: 'every reminder SENT, every claim with its receipt, 0 lost, 0 duplicated (counted by the FCM server)',
        measured: `${sent}/${planned.length} SENT, ${unconfirmed} claims without receipt, ${lost} lost, ${duplicated} duplicated, ${unexpected} unexpected`,
        verdict: sent === planned.length && unconfirmed === 0 && lost === 0 && duplicated === 0 && unexpected === 0 ? 'PASS' : 'FAIL',
      },
    ];
    console.info('Notifications targets');
    console.table(checks);
    saveResults('notifications', { result: row, targets: checks });
    await queue.close();
    return { failed: checks.some((c) => c.verdict === 'FAIL') };
  } finally {
    await Promise.all(workers.map((child) => stopChild(child, 20_000)));
    await fcm.stop();
    await connection.quit().catch(() => undefined);
    await scratch.close();
  }
}
