import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, eventually, wsClient } from '../support/live.js';
import { ok, signUp, signUpAdmin } from '../support/harness.js';
import { CREATE_CONCERT, type JaegerSpan, type TracedStack, clientTraceparent, contractOperation, startTracedStack, tag, traceSpans } from './support.js';

/** The subgraphs the concert page touches for a concert with no articles yet. */
const TOUCHED = ['concerts', 'setlists', 'articles', 'chat'];

/** Whether every span's parent is in the trace (or is the client's span): nothing still on its way. */
const complete = (spans: JaegerSpan[], clientSpanId: string) => {
  const ids = new Set([...spans.map((s) => s.spanID), clientSpanId]);
  return spans.every((s) => s.references.every((r) => r.refType !== 'CHILD_OF' || ids.has(r.spanID)));
};

let stack: TracedStack;
let concertId: string;

beforeAll(async () => {
  stack = await startTracedStack({ logs: true });
  const admin = await signUpAdmin(stack);
  const input = {
    title: 'Traced night',
    description: 'A concert page to follow',
    artist: 'IU',
    venue: 'KSPO Dome',
    startsAt: '2027-03-01T10:00:00Z',
    endsAt: '2027-03-01T13:00:00Z',
    ticketOpenAt: '2027-01-15T03:00:00Z',
  };
  concertId = (await ok<{ createConcert: { id: string } }>(stack, CREATE_CONCERT, { input }, { token: admin.token })).createConcert.id;
}, 400_000);

afterAll(async () => {
  await stack?.close();
});

describe('traces of the concert page', () => {
  it('one request for the contract concert page is one trace with spans from the router and each subgraph it touched', async () => {
    const client = clientTraceparent();
    const data = await ok<{ concert: { id: string } }>(
      stack,
      contractOperation('concerts.graphql', 'Concert'),
      { id: concertId },
      { headers: { traceparent: client.header } },
    );
    expect(data.concert.id).toBe(concertId);

    let spans: JaegerSpan[] = [];
    const services = () => new Set(spans.map((s) => s.service));
    await eventually(
      async () => {
        spans = await traceSpans(stack.jaeger, client.traceId);
        return ['router', ...TOUCHED].every((s) => services().has(s)) && complete(spans, client.spanId);
      },
      15_000,
      'spans of the router and the four subgraphs in Jaeger',
    ).catch((error: Error) => {
      throw new Error(`${error.message}; seen: ${spans.map((s) => `${s.service}:${s.operationName}`).join(', ') || 'none'}`);
    });
    // Untouched subgraphs have no part in it.
    expect(services().has('moderation')).toBe(false);
    expect(services().has('notifications')).toBe(false);

    // One tree: the router's server span continues the client's span; every other span's parent is in the trace.
    const ids = new Set(spans.map((s) => s.spanID));
    for (const span of spans) {
      const parent = span.references.find((r) => r.refType === 'CHILD_OF');
      expect(parent?.traceID).toBe(client.traceId);
      if (parent?.spanID !== client.spanId) expect(ids.has(parent?.spanID ?? ''), `parent of ${span.service} ${span.operationName}`).toBe(true);
    }
    expect(spans.filter((s) => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID === client.spanId).map((s) => s.service)).toEqual(['router']);

    // Our span per subgraph fetch, named after the subgraph and the client's operation, parent of that subgraph's server span.
    for (const subgraph of TOUCHED) {
      const fetch = spans.find((s) => s.service === 'router' && tag(s, 'stagelives.subgraph') === subgraph);
      expect(fetch, `the router's fetch span for ${subgraph}`).toBeDefined();
      expect(tag(fetch as JaegerSpan, 'graphql.operation.name')).toBe('Concert');
      const server = spans.find((s) => s.service === subgraph && s.references.some((r) => r.spanID === fetch?.spanID));
      expect(server, `${subgraph}'s span under the router's fetch`).toBeDefined();
    }
    // The router's query plan, and the subgraphs' database work, are in it too.
    expect(spans.some((s) => s.service === 'router' && s.operationName === 'gateway.plan')).toBe(true);
    expect(spans.some((s) => s.service === 'concerts' && tag(s, 'db.system.name') === 'mongodb')).toBe(true);
    // Never a variable: the concert id the client sent appears in no span's attributes.
    expect(JSON.stringify(spans.map((s) => s.tags))).not.toContain(concertId);
  });

  it('log lines written while serving a request carry its trace_id and the span_id of a span in it', async () => {
    const client = clientTraceparent();
    await ok(stack, contractOperation('concerts.graphql', 'Concert'), { id: concertId }, { headers: { traceparent: client.header } });
    const ofTrace = (process: string) => stack.logs(process).filter((line) => line.trace_id === client.traceId);
    await eventually(
      async () => ofTrace('router').some((l) => l.msg === 'graphql operation') && ofTrace('concerts').length > 0,
      10_000,
      'log lines of the trace',
    );
    const access = ofTrace('router').find((l) => l.msg === 'graphql operation')!;
    expect(access.operationName).toBe('Concert');
    // Each span_id logged is a span of the trace as exported.
    let spans: JaegerSpan[] = [];
    const logged = [...ofTrace('router'), ...ofTrace('concerts')].map((l) => String(l.span_id));
    await eventually(
      async () => {
        spans = await traceSpans(stack.jaeger, client.traceId);
        const ids = new Set(spans.map((s) => s.spanID));
        return logged.every((id) => ids.has(id));
      },
      15_000,
      'the logged span ids in Jaeger',
    );
    // Lines outside any request carry none: the router's start line has no trace_id.
    expect(stack.logs('router').find((l) => String(l.msg).startsWith('router listening'))?.trace_id).toBeUndefined();
  });
});

describe('traces of the subscription path', () => {
  it('a message’s trace goes on from the chat subgraph into the router’s delivery: the event, the group read, the deliveries', async () => {
    const owner = (await signUp(stack)).token;
    const room = (
      await ok<{ createChatRoom: { id: string } }>(
        stack,
        contractOperation('chat.graphql', 'CreateChatRoom'),
        { input: { name: 'traced room', concertId } },
        { token: owner },
      )
    ).createChatRoom;
    const client = wsClient(stack.url.replace(/^http/, 'ws'), owner);
    try {
      const feed = collect(client, contractOperation('chat.graphql', 'MessageAdded'), { roomId: room.id });
      // The subscription is registered once a first message reaches it.
      await eventually(
        async () => {
          await ok(stack, contractOperation('chat.graphql', 'SendMessage'), { roomId: room.id, body: 'warm-up' }, { token: owner });
          await new Promise((r) => setTimeout(r, 200));
          return feed.results.length > 0;
        },
        10_000,
        'the subscription live',
      );
      const sender = clientTraceparent();
      await ok(
        stack,
        contractOperation('chat.graphql', 'SendMessage'),
        { roomId: room.id, body: 'traced hello' },
        { token: owner, headers: { traceparent: sender.header } },
      );
      await eventually(async () => feed.results.some((r) => JSON.stringify(r.data).includes('traced hello')), 10_000, 'the traced message delivered');

      let spans: JaegerSpan[] = [];
      await eventually(
        async () => {
          spans = await traceSpans(stack.jaeger, sender.traceId);
          return spans.some((s) => s.operationName === 'subscription group' && tag(s, 'stagelives.subscription.deliveries') !== undefined);
        },
        15_000,
        'the delivery spans in the sender’s trace',
      ).catch((error: Error) => {
        throw new Error(`${error.message}; seen: ${spans.map((s) => `${s.service}:${s.operationName}`).join(', ') || 'none'}`);
      });
      const byId = new Map(spans.map((s) => [s.spanID, s]));
      const parent = (s: JaegerSpan) => byId.get(s.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '');
      const event = spans.find((s) => s.service === 'router' && s.operationName === 'chat event')!;
      expect(tag(event, 'stagelives.event.type')).toBe('message-added');
      // The event continues the chat subgraph's handling of sendMessage.
      expect(parent(event)?.service).toBe('chat');
      const group = spans.find((s) => s.operationName === 'subscription group')!;
      expect(parent(group)?.spanID).toBe(event.spanID);
      expect(tag(group, 'stagelives.subscription.field')).toBe('messageAdded');
      expect(tag(group, 'stagelives.subscription.subscribers')).toBe(1);
      expect(tag(group, 'stagelives.subscription.deliveries')).toBe(1);
      // The group's read of the new message through the graph is part of it.
      expect(spans.some((s) => s.service === 'chat' && parent(s)?.service === 'router' && isUnder(s, group, parent))).toBe(true);
      feed.stop();
    } finally {
      await client.dispose();
    }
  });
});

/** Whether `span` descends from `ancestor`. */
function isUnder(span: JaegerSpan, ancestor: JaegerSpan, parent: (s: JaegerSpan) => JaegerSpan | undefined): boolean {
  for (let at = parent(span); at; at = parent(at)) if (at.spanID === ancestor.spanID) return true;
  return false;
}
