import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopChild } from '@stagelives/devkit';
import { forkEntry, waitListening, type Child } from '../bench/children.js';
import { gql, ok, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { MESSAGE_ADDED, collect, roomWithMember, send, wsClient } from '../support/live.js';

/**
 * Issue 21: a hung or dead subgraph costs only its own fields. The victim (setlists) runs as its
 * own process, so it can be stopped (SIGSTOP), resumed (SIGCONT), killed (SIGKILL) and started
 * again while a router serves; everything else is the in-process stack.
 */
const TIMEOUT_MS = 1_500;
const FAILURES = 3;
const HALF_OPEN_MS = 2_000;
const PAGE = 'query ConcertPage { concerts(first: 5) { edges { node { id title setlist { id } } } } }';
const TITLES_ONLY = 'query ConcertTitles { concerts(first: 5) { edges { node { id title } } } }';

type Page = { concerts: { edges: Array<{ node: { id: string; title: string; setlist: { id: string } | null } }> } };

let stack: Stack;
let victim: Child | undefined;
let victimPort = 0;
let router: Awaited<ReturnType<Stack['extraRouter']>>;
let resetting: { server: Server; connections: number; sockets: Set<Socket> } | undefined;
let resetRouter: Awaited<ReturnType<Stack['extraRouter']>> | undefined;

function urlsWith(name: string, url: string, on: Stack = stack): string {
  return Object.entries({ ...on.subgraphUrls, [name]: url })
    .map(([n, u]) => `${n}=${u}`)
    .join(',');
}

/** The setlists subgraph as its own process on `port` (0: a free one), over the stack's database and Redis. */
async function startVictim(port = 0): Promise<number> {
  victim = forkEntry(
    'setlists',
    'subgraphs/setlists/src/index.ts',
    { ...process.env, ...stack.env, LOG_LEVEL: 'warn', SUBGRAPH_PORT: String(port) },
    () => undefined,
  );
  return waitListening(victim, 60_000);
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
}

async function text(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${router.url.replace(/\/graphql$/, '')}${path}`);
  return { status: res.status, body: await res.text() };
}

const ready = async () => (await text('/health/ready')).status;
const breakerGauge = async () => Number(/stagelives_router_subgraph_breaker_state\{subgraph="setlists"\} (\d+)/.exec((await text('/metrics')).body)?.[1]);
const counter = async (name: string) =>
  Number(new RegExp(`stagelives_router_${name}\\{subgraph="setlists"\\} (\\d+)`).exec((await text('/metrics')).body)?.[1] ?? 0);
const subgraphsHealth = async () =>
  JSON.parse((await text('/health/subgraphs')).body) as {
    status: string;
    subgraphs: Record<string, { state: string; lastFailureAt: string | null; lastFailure: string | null }>;
  };

function expectUnavailable(errors: Array<{ message: string; extensions?: Record<string, unknown> }> | undefined, reason?: string) {
  expect(errors).toHaveLength(1);
  expect(errors![0]!.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'setlists', ...(reason ? { reason } : {}) });
  const raw = JSON.stringify(errors);
  expect(raw).not.toContain('127.0.0.1');
  expect(raw).not.toContain('stacktrace');
}

function expectPartialPage(data: Page | undefined) {
  expect(data?.concerts.edges.length).toBeGreaterThan(0);
  for (const { node } of data!.concerts.edges) {
    expect(node.title).toEqual(expect.any(String));
    expect(node.setlist).toBeNull();
  }
}

describe('a hung or dead subgraph costs only its own fields', () => {
  beforeAll(async () => {
    stack = await startStack();
    const admin = await signUpAdmin(stack);
    for (const artist of ['IU', 'NewJeans']) {
      const { createConcert } = await ok<{ createConcert: { id: string } }>(
        stack,
        'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
        { input: { title: `${artist} live`, artist, venue: 'KSPO Dome', startsAt: '2032-01-01T10:00:00Z' } },
        { token: admin.token },
      );
      await ok(
        stack,
        'mutation($id: ID!, $input: SetlistInput!) { upsertSetlist(concertId: $id, input: $input) { id } }',
        { id: createConcert.id, input: { songs: [{ title: 'Intro', artist }] } },
        { token: admin.token },
      );
    }
    victimPort = await startVictim();
    router = await stack.extraRouter({
      SUBGRAPH_URLS: urlsWith('setlists', `http://127.0.0.1:${victimPort}/graphql`),
      SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS),
      SUBGRAPH_BREAKER_FAILURES: String(FAILURES),
      SUBGRAPH_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
      // Every answer below is computed, never served from the response cache.
      RESPONSE_CACHE: 'off',
    });
  }, 120_000);

  afterAll(async () => {
    // Whatever state a failed test left it in: resume, then stop, by PID.
    if (victim?.process.pid && victim.process.exitCode === null && victim.process.signalCode === null) victim.process.kill('SIGCONT');
    if (victim) await stopChild(victim.process, 5_000);
    await resetRouter?.close();
    for (const s of resetting?.sockets ?? []) s.destroy();
    await new Promise((r) => (resetting ? resetting.server.close(r) : r(undefined)));
    await router?.close();
    await stack?.close();
  }, 60_000);

  it('should answer the whole page while setlists is healthy', async () => {
    const { data, errors } = await gql<Page>(router, PAGE);
    expect(errors).toBeUndefined();
    expect(data!.concerts.edges.some((e) => e.node.setlist !== null)).toBe(true);
    expect(await ready()).toBe(200);
  });

  it('should answer within the timeout with setlist null and one SUBGRAPH_UNAVAILABLE while setlists is stopped (SIGSTOP), then open the breaker and close it after SIGCONT', async () => {
    victim!.process.kill('SIGSTOP');
    try {
      const first = await timed(() => gql<Page>(router, PAGE));
      console.info(`[resilience] hung setlists: partial answer in ${Math.round(first.ms)} ms (timeout ${TIMEOUT_MS} ms)`);
      expect(first.ms).toBeLessThan(TIMEOUT_MS + 1_000);
      expectPartialPage(first.result.data);
      expectUnavailable(first.result.errors, 'timeout');

      // A query that does not touch setlists is unaffected; readiness stays 200.
      const other = await timed(() => gql(router, TITLES_ONLY));
      expect(other.result.errors).toBeUndefined();
      expect(other.ms).toBeLessThan(1_000);
      expect(await ready()).toBe(200);

      // Consecutive timeouts open the breaker; then calls fail at once.
      for (let i = 1; i < FAILURES; i += 1) expectUnavailable((await gql<Page>(router, PAGE)).errors, 'timeout');
      expect(await breakerGauge()).toBe(2);
      const fast = await timed(() => gql<Page>(router, PAGE));
      console.info(`[resilience] breaker open: answer in ${Math.round(fast.ms)} ms`);
      expect(fast.ms).toBeLessThan(300);
      expectPartialPage(fast.result.data);
      expectUnavailable(fast.result.errors, 'circuit-open');
      expect(await counter('subgraph_short_circuited_total')).toBeGreaterThanOrEqual(1);
      expect(await counter('subgraph_timeouts_total')).toBe(FAILURES);
      const health = await subgraphsHealth();
      expect(health.status).toBe('degraded');
      expect(health.subgraphs.setlists).toMatchObject({ state: 'open', lastFailure: 'timeout' });
      expect(health.subgraphs.concerts).toMatchObject({ state: 'closed', lastFailureAt: null });
      expect(JSON.stringify(health)).not.toContain('http://');
      expect(await ready()).toBe(200);
    } finally {
      victim!.process.kill('SIGCONT');
    }
    // After the half-open delay one probe goes through, succeeds, and closes the breaker.
    const resumedAt = performance.now();
    let whole: Awaited<ReturnType<typeof gql<Page>>> | undefined;
    while (performance.now() - resumedAt < HALF_OPEN_MS + 5_000) {
      whole = await gql<Page>(router, PAGE);
      if (!whole.errors) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    console.info(`[resilience] SIGCONT: whole answers again after ${Math.round(performance.now() - resumedAt)} ms`);
    expect(whole?.errors).toBeUndefined();
    expect(whole!.data!.concerts.edges.some((e) => e.node.setlist !== null)).toBe(true);
    expect(await breakerGauge()).toBe(0);
    expect((await subgraphsHealth()).subgraphs.setlists!.state).toBe('closed');
    expect(await ready()).toBe(200);
  }, 60_000);

  it('should fail fast on a killed subgraph (SIGKILL), retry the read once, and recover when it is started again', async () => {
    const retriesBefore = await counter('subgraph_retries_total');
    victim!.process.kill('SIGKILL');
    await new Promise((r) => victim!.process.once('exit', r));
    const dead = await timed(() => gql<Page>(router, PAGE));
    console.info(`[resilience] killed setlists: partial answer in ${Math.round(dead.ms)} ms`);
    expect(dead.ms).toBeLessThan(1_000);
    expectPartialPage(dead.result.data);
    expectUnavailable(dead.result.errors, 'connection');
    expect(await counter('subgraph_retries_total')).toBe(retriesBefore + 1);
    expect(await ready()).toBe(200);

    // Started again on the same port: the breaker (if open) lets a probe through and closes.
    await startVictim(victimPort);
    const startedAt = performance.now();
    let whole: Awaited<ReturnType<typeof gql<Page>>> | undefined;
    while (performance.now() - startedAt < HALF_OPEN_MS + 5_000) {
      whole = await gql<Page>(router, PAGE);
      if (!whole.errors) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(whole?.errors).toBeUndefined();
    expect(await breakerGauge()).toBe(0);
  }, 90_000);

  it('should send a read twice but a mutation once when the connection is reset after the request was sent', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      state.connections += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // The request reached the "subgraph", then the connection is reset: it may have run.
      socket.once('data', () => socket.resetAndDestroy());
    });
    const state = { server, connections: 0, sockets };
    resetting = state;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    resetRouter = await stack.extraRouter({
      SUBGRAPH_URLS: urlsWith('setlists', `http://127.0.0.1:${port}/graphql`),
      SUBGRAPH_BREAKER_FAILURES: '100',
      RESPONSE_CACHE: 'off',
    });
    const admin = await signUpAdmin(stack, `ops${Date.now()}@stagelives.test`);

    const read = await gql<Page>(resetRouter, PAGE);
    expectPartialPage(read.data);
    expectUnavailable(read.errors, 'connection');
    expect(state.connections).toBe(2);

    state.connections = 0;
    const write = await gql(
      resetRouter,
      'mutation($id: ID!) { deleteSetlist(concertId: $id) }',
      { id: read.data!.concerts.edges[0]!.node.id },
      { token: admin.token },
    );
    expect(write.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'setlists' });
    expect(state.connections).toBe(1);
  }, 60_000);

  it('should answer 503 on the REST shim when the whole answer depends on the unavailable subgraph', async () => {
    // The reset router's setlists never answers: GET /setlist/:concertId (concert.setlist) has nothing to show.
    expect(resetRouter).toBeDefined();
    const page = await ok<Page>(stack, TITLES_ONLY);
    const res = await fetch(`${resetRouter!.url.replace(/\/graphql$/, '')}/setlist/${page.concerts.edges[0]!.node.id}`);
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    expect(res.status).toBe(503);
    expect(body.error?.code).toBe('SUBGRAPH_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('1');
  }, 30_000);
});

describe('subscriptions while the chat subgraph hangs', () => {
  let chatStack: Stack;
  let chat: Child | undefined;
  let chatRouter: Awaited<ReturnType<Stack['extraRouter']>>;

  beforeAll(async () => {
    chatStack = await startStack();
    chat = forkEntry('chat', 'subgraphs/chat/src/index.ts', { ...process.env, ...chatStack.env, LOG_LEVEL: 'warn', SUBGRAPH_PORT: '0' }, () => undefined);
    const port = await waitListening(chat, 60_000);
    chatRouter = await chatStack.extraRouter({
      SUBGRAPH_URLS: urlsWith('chat', `http://127.0.0.1:${port}/graphql`, chatStack),
      SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS),
      SUBGRAPH_BREAKER_FAILURES: String(FAILURES),
      SUBGRAPH_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
      CHAT_RESYNC_SECONDS: '2',
      RESPONSE_CACHE: 'off',
    });
  }, 120_000);

  afterAll(async () => {
    if (chat?.process.pid && chat.process.exitCode === null && chat.process.signalCode === null) chat.process.kill('SIGCONT');
    if (chat) await stopChild(chat.process, 5_000);
    await chatRouter?.close();
    await chatStack?.close();
  }, 60_000);

  it("should keep the subscriber's socket while chat is stopped and deliver what was sent meanwhile once it returns", async () => {
    const { roomId, owner } = await roomWithMember(chatStack);
    let closed = false;
    const client = wsClient(chatRouter.wsUrl, owner.token, { on: { closed: () => void (closed = true) } });
    try {
      const feed = collect<{ messageAdded: { body: string } }>(client, MESSAGE_ADDED, { roomId });
      // Sent through the stack's own router and its in-process chat (same database and Redis):
      // the event reaches this router, which must read the message from its (stopped) chat process.
      await new Promise((r) => setTimeout(r, 300));
      await send(chatStack, roomId, 'before', owner.token);
      await feed.waitFor(1);
      chat!.process.kill('SIGSTOP');
      try {
        await send(chatStack, roomId, 'while stopped', owner.token);
        const read = await timed(() => gql(chatRouter, 'query($id: ID!) { chatRoom(id: $id) { id name } }', { id: roomId }, { token: owner.token }));
        expect(read.ms).toBeLessThan(TIMEOUT_MS + 1_000);
        expect(read.result.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'chat' });
        await new Promise((r) => setTimeout(r, TIMEOUT_MS * 2));
        expect(feed.results).toHaveLength(1);
        expect(closed).toBe(false);
        expect((await fetch(chatRouter.url.replace(/graphql$/, 'health/ready'))).status).toBe(200);
      } finally {
        chat!.process.kill('SIGCONT');
      }
      const resumedAt = performance.now();
      const [, backfilled] = await feed.waitFor(2, 20_000);
      console.info(`[resilience] chat SIGCONT: missed message delivered after ${Math.round(performance.now() - resumedAt)} ms`);
      expect(backfilled!.data?.messageAdded.body).toBe('while stopped');
      await send(chatStack, roomId, 'after', owner.token);
      const all = await feed.waitFor(3, 10_000);
      expect(all.map((r) => r.data?.messageAdded.body)).toEqual(['before', 'while stopped', 'after']);
      expect(closed).toBe(false);
    } finally {
      await client.dispose();
    }
  }, 60_000);
});
