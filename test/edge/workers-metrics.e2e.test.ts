import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { forkService, openScratch, startLocalFcmServer, type LocalFcmServer, type Scratch } from '@stagelives/devkit';
import { NotificationsJob, bullConnection, bullPrefix, createUpkeepQueue, localFcmEnv } from '@stagelives/workers/notifications';
import { scrape, sampleValue, type Samples } from './prom.js';

/** The real workers process (workers/src/index.ts) on a scratch database and Redis prefix, with its metrics port on a free port. */
describe('workers: metrics and health on their own port, and graceful shutdown', () => {
  let scratch: Scratch<'mongo' | 'redis'>;
  let fcm: LocalFcmServer;
  let child: ChildProcess;
  const output: string[] = [];
  let base: string;
  beforeAll(async () => {
    scratch = await openScratch({ mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl') });
    fcm = await startLocalFcmServer();
    const workers = await forkService('workers', 'workers/src/index.ts', {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        ...scratch.env,
        IDENTITY_SECRET: randomBytes(32).toString('hex'),
        WORKERS_PORT: '0',
        SHUTDOWN_TIMEOUT_MS: '10000',
        // Readiness answers 503 this long before the workers close: the poller below sees it whatever the machine's load.
        SHUTDOWN_DELAY_MS: '500',
        ...localFcmEnv(fcm.info),
      },
      onLine: (line) => output.push(line),
      timeoutMs: 45_000,
    });
    child = workers.child;
    base = `http://127.0.0.1:${workers.port}`;
  }, 60_000);
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fcm?.close();
    await scratch?.close();
  });

  async function until(check: (s: Samples) => boolean, ms = 15_000): Promise<Samples> {
    const deadline = Date.now() + ms;
    let samples = await scrape(`${base}/metrics`);
    while (!check(samples) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      samples = await scrape(`${base}/metrics`);
    }
    return samples;
  }

  it("should report every queue's depth, and job durations and failures as jobs run", async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const queue = 'notifications-upkeep';
    // The reconciliation queued at start-up runs and is timed.
    const first = await until((s) => sampleValue(s, 'stagelives_worker_job_duration_seconds_count', { queue, outcome: 'completed' }) >= 1);
    expect(sampleValue(first, 'stagelives_worker_job_duration_seconds_count', { queue, outcome: 'completed' })).toBeGreaterThanOrEqual(1);
    for (const q of ['concert-status', 'session-index', 'notifications-send', queue]) {
      for (const state of ['waiting', 'delayed', 'active', 'failed']) {
        expect(
          first.some((s) => s.name === 'stagelives_worker_queue_jobs' && s.labels.queue === q && s.labels.state === state),
          `${q} ${state}`,
        ).toBe(true);
      }
    }
    // Schedules wait as delayed jobs.
    expect(sampleValue(first, 'stagelives_worker_queue_jobs', { queue: 'concert-status', state: 'delayed' })).toBeGreaterThanOrEqual(1);
    const delayedBefore = sampleValue(first, 'stagelives_worker_queue_jobs', { queue, state: 'delayed' });
    expect(sampleValue(first, 'stagelives_worker_job_failures_total', { queue })).toBe(0);

    const connection = bullConnection(inject('redisUrl'));
    const upkeep = createUpkeepQueue(connection, bullPrefix(scratch.redisPrefix));
    try {
      // A job for later: the delayed depth moves. A job no processor knows: it fails, once.
      await upkeep.add(NotificationsJob.Reconcile, {}, { delay: 3_600_000, jobId: 'edge-later' });
      await upkeep.add('edge-unknown' as typeof NotificationsJob.Reconcile, {}, { attempts: 1, jobId: 'edge-unknown' });
      const later = await until(
        (s) =>
          sampleValue(s, 'stagelives_worker_job_failures_total', { queue }) >= 1 &&
          sampleValue(s, 'stagelives_worker_queue_jobs', { queue, state: 'failed' }) >= 1,
      );
      expect(sampleValue(later, 'stagelives_worker_queue_jobs', { queue, state: 'delayed' })).toBe(delayedBefore + 1);
      expect(sampleValue(later, 'stagelives_worker_job_failures_total', { queue })).toBe(1);
      expect(sampleValue(later, 'stagelives_worker_queue_jobs', { queue, state: 'failed' })).toBe(1);
      expect(sampleValue(later, 'stagelives_worker_job_duration_seconds_count', { queue, outcome: 'failed' })).toBe(1);
      // The push counters are declared from the start (pushes are counted per token by the transport).
      expect(later.declared.has('stagelives_worker_pushes_total')).toBe(true);
    } finally {
      await upkeep.close();
      await connection.quit();
    }
  });

  it('should turn readiness 503 and exit 0 on SIGTERM after closing its workers', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const statuses: number[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        try {
          const res = await fetch(`${base}/health/ready`);
          await res.arrayBuffer();
          statuses.push(res.status);
        } catch {
          return;
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    polling = false;
    await poll;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(statuses[0]).toBe(200);
    expect(statuses).toContain(503);
    const log = output.join('\n');
    expect(log).toMatch(/"msg":"stopped"/);
    expect(log).not.toMatch(/error while closing/);
  });
});
