import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalFcmServer, type LocalFcmServer } from '@stagelives/devkit';
import { WorkerMetrics } from '../src/metrics.js';
import { createPushSender, type PushSender } from '../src/push/index.js';

const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"=,]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);

describe('WorkerMetrics.countPushes: the real push sender against the local FCM server', () => {
  let server: LocalFcmServer;
  let sender: PushSender;
  beforeAll(async () => {
    server = await startLocalFcmServer();
    sender = createPushSender({ mode: 'local', fcm: server.info });
  });
  afterAll(async () => {
    await sender?.close();
    await server?.close();
  });

  it("should count each token's result: sent, or failed by kind, and return the results unchanged", async () => {
    const metrics = new WorkerMetrics();
    const push = metrics.countPushes(sender);
    const results = await push.send({ reminderId: 'rem-m', tokens: ['ok-1', 'unregistered-old', 'invalid-garbage', 'ok-2'], title: 't', body: 'b' });
    expect(results.map((r) => (r.ok ? 'ok' : r.kind))).toEqual(['ok', 'unregistered', 'invalid', 'ok']);
    server.failNext(1, { status: 429, retryAfterSeconds: 30 });
    await push.send({ reminderId: 'rem-n', tokens: ['ok-3'], title: 't', body: 'b' });

    const text = await metrics.metrics.render();
    expect(sample(text, 'stagelives_worker_pushes_total{result="sent",kind="ok"}')).toBe(2);
    expect(sample(text, 'stagelives_worker_pushes_total{result="failed",kind="unregistered"}')).toBe(1);
    expect(sample(text, 'stagelives_worker_pushes_total{result="failed",kind="invalid"}')).toBe(1);
    expect(sample(text, 'stagelives_worker_pushes_total{result="failed",kind="transient"}')).toBe(1);
    expect(server.pushes.map((p) => p.token).sort()).toEqual(['ok-1', 'ok-2']);
  });
});
