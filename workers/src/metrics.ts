import type { Queue, Worker } from 'bullmq';
import { Metrics } from '@stagelives/platform';
import type { PushTransport } from '@stagelives/notifications/store';

/** Job duration buckets, seconds: 10 ms … 5 min. */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Queue states reported as depth. */
const STATES = ['waiting', 'delayed', 'active', 'failed'] as const;

/**
 * The workers' Prometheus series (`stagelives_worker_*`): the depth of every queue (read from
 * Redis when scraped), job durations and failures of this process's workers, pushes sent and
 * failed.
 */
export class WorkerMetrics {
  readonly metrics = new Metrics();
  private readonly queues: Queue[] = [];
  private readonly jobDuration = this.metrics.histogram(
    'worker_job_duration_seconds',
    'Jobs this process ran, by queue and outcome (completed, failed), from start to end.',
    ['queue', 'outcome'],
    JOB_BUCKETS,
  );
  private readonly jobFailures = this.metrics.counter('worker_job_failures_total', 'Job attempts that failed (retried or not), by queue.', ['queue']);
  private readonly pushes = this.metrics.counter(
    'worker_pushes_total',
    'Push notifications, one per device token: sent, or failed by kind (unregistered, invalid, transient, permanent, error).',
    ['result', 'kind'],
  );

  constructor() {
    const queues = this.queues;
    this.metrics.gauge(
      'worker_queue_jobs',
      'Jobs in each BullMQ queue by state (waiting, delayed, active, failed), read when scraped.',
      ['queue', 'state'],
      async function () {
        this.reset();
        await Promise.all(
          queues.map(async (queue) => {
            // Redis away: this queue is left out of the scrape rather than holding it.
            const counts = await Promise.race([queue.getJobCounts(...STATES), new Promise<null>((resolve) => setTimeout(resolve, 2_000, null).unref())]).catch(
              () => null,
            );
            if (!counts) return;
            for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          }),
        );
      },
    );
  }

  /** Reports this queue's depth. */
  watchQueue(queue: Queue): void {
    if (!this.queues.includes(queue)) this.queues.push(queue);
  }

  /** Times this worker's jobs and counts their failures. */
  watchWorker(worker: Worker): void {
    const queue = worker.name;
    worker.on('completed', (job) => {
      if (job.processedOn) this.jobDuration.observe({ queue, outcome: 'completed' }, Math.max(0, (job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
    });
    worker.on('failed', (job) => {
      this.jobFailures.inc({ queue });
      if (job?.processedOn) this.jobDuration.observe({ queue, outcome: 'failed' }, Math.max(0, (job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
    });
  }

  /** The push transport, counting each token's result. */
  countPushes(push: PushTransport): PushTransport {
    return {
      send: async (message) => {
        let results: Awaited<ReturnType<PushTransport['send']>>;
        try {
          results = await push.send(message);
        } catch (error) {
          this.pushes.inc({ result: 'failed', kind: 'error' }, new Set(message.tokens).size);
          throw error;
        }
        let sent = 0;
        const failed = new Map<string, number>();
        for (const r of results) {
          if (r.ok) sent += 1;
          else failed.set(r.kind, (failed.get(r.kind) ?? 0) + 1);
        }
        if (sent) this.pushes.inc({ result: 'sent', kind: 'ok' }, sent);
        for (const [kind, n] of failed) this.pushes.inc({ result: 'failed', kind }, n);
        return results;
      },
    };
  }
}
