import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalFcmServer, startLocalFcmServer } from '@stagelives/devkit';
import { localFcmEnv } from '@stagelives/workers/notifications';
import { eventually } from '../support/live.js';
import { ok, signUp, signUpAdmin } from '../support/harness.js';
import {
  CREATE_CONCERT,
  type JaegerSpan,
  type TracedStack,
  clientTraceparent,
  contractOperation,
  findTraces,
  startTracedStack,
  tag,
  traceSpans,
} from './support.js';

const HOUR = 3_600_000;

let fcm: LocalFcmServer;
let stack: TracedStack;

beforeAll(async () => {
  fcm = await startLocalFcmServer();
  stack = await startTracedStack({ workers: true, env: { ...localFcmEnv(fcm.info), NOTIFICATIONS_BATCH_WAIT_MS: '5' } });
}, 400_000);

afterAll(async () => {
  await stack?.close();
  await fcm?.close();
});

const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF');

describe('traces of a reminder', () => {
  it('a like’s trace goes through the router, concerts and the notifications consumer; the push days later is a trace linked to it', async () => {
    const admin = (await signUpAdmin(stack)).token;
    const fan = (await signUp(stack)).token;
    // Tickets open in an hour and a few seconds: the default 60-minute reminder is due in seconds.
    const input = {
      title: 'Traced reminder',
      description: 'A like that becomes a push',
      artist: 'IU',
      venue: 'KSPO Dome',
      startsAt: new Date(Date.now() + 6 * HOUR).toISOString(),
      endsAt: new Date(Date.now() + 9 * HOUR).toISOString(),
      ticketOpenAt: new Date(Date.now() + HOUR + 3_000).toISOString(),
    };
    const concertId = (await ok<{ createConcert: { id: string } }>(stack, CREATE_CONCERT, { input }, { token: admin })).createConcert.id;
    const device = `fcm-traced-${Date.now()}`;
    await ok(stack, contractOperation('users.graphql', 'RegisterDevice'), { token: device, platform: 'ANDROID' }, { token: fan });

    const client = clientTraceparent();
    await ok(stack, contractOperation('concerts.graphql', 'LikeConcert'), { id: concertId }, { token: fan, headers: { traceparent: client.header } });

    // The like's trace: the router, the concerts subgraph, and the notifications domain's event
    // consumer (in the workers process) scheduling the reminders, continuing it.
    let like: JaegerSpan[] = [];
    await eventually(
      async () => {
        like = await traceSpans(stack.jaeger, client.traceId);
        return like.some(
          (s) => s.service === 'workers' && s.operationName === 'process events:concerts' && tag(s, 'stagelives.event.type') === 'concert.liked',
        );
      },
      20_000,
      'the consumer of concert.liked in the like’s trace',
    ).catch((error: Error) => {
      throw new Error(`${error.message}; seen: ${like.map((s) => `${s.service}:${s.operationName}`).join(', ') || 'none'}`);
    });
    const services = new Set(like.map((s) => s.service));
    for (const service of ['router', 'concerts', 'workers']) expect(services.has(service), service).toBe(true);
    const consumer = like.find((s) => s.operationName === 'process events:concerts')!;
    // It hangs under the concerts subgraph's work (the event carried the trace context).
    const byId = new Map(like.map((s) => [s.spanID, s]));
    expect(byId.get(parentOf(consumer)?.spanID ?? '')?.service).toBe('concerts');

    // The push: its own trace, in the workers process, linked to the consumer span of the like.
    const token = device;
    await eventually(async () => fcm.pushes.some((p) => p.token === token), 30_000, 'the push at the local FCM server');
    const reminderId = fcm.pushes.find((p) => p.token === token)?.reminderId;
    if (!reminderId) throw new Error('the push carried no reminder id');
    let push: JaegerSpan[] = [];
    await eventually(
      async () => {
        const traces = await findTraces(stack.jaeger, { service: 'workers', operation: 'push reminder', tags: { 'stagelives.reminder.id': reminderId } });
        push = traces[0] ?? [];
        return push.length > 0;
      },
      15_000,
      'the push reminder trace',
    );
    const pushSpan = push.find((s) => s.operationName === 'push reminder')!;
    expect(pushSpan.traceID).not.toBe(client.traceId);
    expect(pushSpan.references).toContainEqual(expect.objectContaining({ refType: 'FOLLOWS_FROM', traceID: client.traceId, spanID: consumer.spanID }));
    expect(tag(pushSpan, 'stagelives.push.devices')).toBe(1);
    expect(tag(pushSpan, 'stagelives.push.sent')).toBe(1);
    // The HTTPS request to FCM is a child of it; the device token is in no span.
    expect(push.some((s) => parentOf(s)?.spanID === pushSpan.spanID && s.tags.some((t) => t.key.startsWith('http.')))).toBe(true);
    expect(JSON.stringify(push.map((s) => s.tags))).not.toContain(token);
  }, 90_000);
});
