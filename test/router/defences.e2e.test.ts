import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type ChildService } from '@stagelives/devkit';
import { codeOf, gql, ok, signUp, startStack, type Stack } from '../support/harness.js';
import { eventually } from '../support/live.js';

const READ = '{ concerts(first: 1) { totalCount } }';
const LOG_IN = 'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { sessionToken } }';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(stack: Stack, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('rate limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_AUTH: '3', RATE_LIMIT_DEFAULT: '5', RATE_LIMIT_PUBLIC_READ: '6' });
  });
  afterAll(() => stack?.close());

  it('should limit anonymous reads per IP and answer 429 with a retry-after', async () => {
    for (let i = 0; i < 6; i += 1) expect((await gql(stack, READ)).errors).toBeUndefined();
    const limited = await gql(stack, READ);
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.errors?.[0]?.extensions?.retryAfter).toBe(retryAfter);
    expect(limited.errors?.[0]?.extensions?.http).toBeUndefined();
  });

  it('should share limits across router instances (Redis-backed)', async () => {
    const s = await startStack({ RATE_LIMIT_PUBLIC_READ: '4', RATE_LIMIT_DEFAULT: '50', RATE_LIMIT_AUTH: '50' });
    const second = await s.extraRouter();
    try {
      for (let i = 0; i < 4; i += 1) expect((await gql(i % 2 ? second : s, READ)).errors).toBeUndefined();
      expect(codeOf(await gql(second, READ))).toBe('RATE_LIMITED');
      expect(codeOf(await gql(s, READ))).toBe('RATE_LIMITED');
    } finally {
      await second.close();
      await s.close();
    }
  });

  it('should hold a limit across two routers, within their local shares, for a client spread over both', async () => {
    const limit = 40;
    const s = await startStack({ RATE_LIMIT_PUBLIC_READ: String(limit), RATE_LIMIT_DEFAULT: '500', RATE_LIMIT_AUTH: '50' });
    const second = await s.extraRouter();
    try {
      // Six clients at once, each alternating between the routers: 90 reads, far past the limit.
      const statuses: number[] = [];
      await Promise.all(
        Array.from({ length: 6 }, async (_, c) => {
          for (let i = 0; i < 15; i += 1) statuses.push((await gql((c + i) % 2 ? second : s, READ)).status);
        }),
      );
      const allowed = statuses.filter((status) => status === 200).length;
      expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      // Never refused early; past the limit by at most an eighth of it per router (docs/performance.md).
      expect(allowed).toBeGreaterThanOrEqual(limit);
      expect(allowed).toBeLessThanOrEqual(limit + 2 * (limit / 8));
      // Both routers have heard from Redis since: each refuses.
      await sleep(300);
      expect(codeOf(await gql(s, READ))).toBe('RATE_LIMITED');
      expect(codeOf(await gql(second, READ))).toBe('RATE_LIMITED');
    } finally {
      await second.close();
      await s.close();
    }
  });

  it('should not ask Redis for a session when a request carries no credential, and count reads in batches', async ({ onTestFinished }) => {
    // A Redis of its own: its command counts are this test's alone.
    const dataDir = mkdtempSync(join(tmpdir(), 'stagelives-redis-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const redis = await startRedis({ dataDir });
    onTestFinished(() => redis.stop());
    // The response cache's scripts off: the scripts counted are the rate limiter's.
    const s = await startStack({ REDIS_URL: redis.url, RESPONSE_CACHE: 'off' });
    onTestFinished(() => s.close(), 20_000);
    const fan = await signUp(s);
    const calls = async (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await s.redis.info('commandstats'))?.[1] ?? 0);
    const scripts = async () => (await calls('eval')) + (await calls('evalsha'));
    const [getex, evals] = [await calls('getex'), await scripts()];
    for (let i = 0; i < 50; i += 1) expect((await gql(s, '{ __typename }')).errors).toBeUndefined();
    expect(await calls('getex')).toBe(getex);
    // One rate-limit script call per batch, not per read.
    expect((await scripts()) - evals).toBeLessThan(25);
    for (let i = 0; i < 5; i += 1) expect((await gql(s, '{ __typename }', {}, { token: fan.token })).errors).toBeUndefined();
    expect(await calls('getex')).toBe(getex + 5);
  });

  it('should key signed-in users by user, not by IP', async () => {
    const email = `rl${Date.now()}@example.com`;
    // Sign-up is a mutation from the exhausted IP's other buckets: it still has budget.
    const fan = await signUp(stack, { email });
    expect((await gql(stack, READ, {}, { token: fan.token })).errors).toBeUndefined();
  });

  it('should give sign-ins a stricter bucket, counting each alias', async () => {
    const s = await startStack({ RATE_LIMIT_AUTH: '3', RATE_LIMIT_DEFAULT: '50', RATE_LIMIT_PUBLIC_READ: '50', TRUST_PROXY: 'loopback' });
    try {
      const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
      for (let i = 0; i < 3; i += 1)
        expect(codeOf(await gql(s, LOG_IN, { email: `y${i}@example.com`, password: 'whatever pass' }, from('192.0.2.1')))).toBe('UNAUTHENTICATED');
      const fourth = await gql(s, LOG_IN, { email: 'z@example.com', password: 'whatever pass' }, from('192.0.2.1'));
      expect(codeOf(fourth)).toBe('RATE_LIMITED');
      expect(fourth.errors?.[0]?.extensions?.bucket).toBe('auth');
      // Reads are a different bucket.
      expect((await gql(s, READ, {}, from('192.0.2.1'))).errors).toBeUndefined();
      // Four sign-in attempts as aliases in one request cost four points: over the limit at once.
      const aliased = `mutation { ${[0, 1, 2, 3].map((i) => `a${i}: logIn(email: "x${i}@example.com", password: "whatever pass") { sessionToken }`).join(' ')} }`;
      expect(codeOf(await gql(s, aliased, {}, from('192.0.2.2')))).toBe('RATE_LIMITED');
    } finally {
      await s.close();
    }
  });
});

describe('client IP behind a proxy', () => {
  const limits = { RATE_LIMIT_PUBLIC_READ: '2', RATE_LIMIT_DEFAULT: '50', RATE_LIMIT_AUTH: '50' };

  it('should ignore X-Forwarded-For by default, so a forged header does not dodge limits', async () => {
    const stack = await startStack(limits);
    try {
      for (let i = 0; i < 2; i += 1) expect((await gql(stack, READ, {}, { headers: { 'x-forwarded-for': `203.0.113.${i}` } })).errors).toBeUndefined();
      expect(codeOf(await gql(stack, READ, {}, { headers: { 'x-forwarded-for': '203.0.113.99' } }))).toBe('RATE_LIMITED');
    } finally {
      await stack.close();
    }
  });

  it('should give clients behind a trusted proxy separate buckets when TRUST_PROXY is set', async () => {
    const stack = await startStack({ ...limits, TRUST_PROXY: 'loopback' });
    try {
      const as = (ip: string) => gql(stack, READ, {}, { headers: { 'x-forwarded-for': ip } });
      expect((await as('198.51.100.1')).errors).toBeUndefined();
      expect((await as('198.51.100.1')).errors).toBeUndefined();
      expect(codeOf(await as('198.51.100.1'))).toBe('RATE_LIMITED');
      expect((await as('198.51.100.2')).errors).toBeUndefined();
    } finally {
      await stack.close();
    }
  });
});

describe('when Redis goes away', () => {
  // Its own redis-server and stack are started inside the test: the hook timeout's budget, not a test's.
  it('should keep public reads working, refuse sign-in and sign-up, and recover by itself', { timeout: 60_000 }, async ({ onTestFinished }) => {
    // Registered before anything is awaited, and run even when the test fails or times out
    // (a finally after a hung await never runs): last registered, first run.
    const dataDir = mkdtempSync(join(tmpdir(), 'stagelives-redis-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    let redis: ChildService | undefined;
    onTestFinished(() => redis?.stop());
    let stack: Stack | undefined;
    onTestFinished(() => stack?.close(), 20_000);

    redis = await startRedis({ dataDir });
    stack = await startStack({ REDIS_URL: redis.url });
    const fan = await signUp(stack);
    await redis.stop();
    // Not a fixed sleep: under load the router's client takes its time to see the socket close.
    const client = stack.redis;
    await eventually(() => client.status !== 'ready', 10_000, 'the router to see Redis gone');
    const health = await fetch(`${stack.baseUrl}/health/ready`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { checks: Record<string, string> }).checks.redis).toMatch(/^error/);
    const read = await gql(stack, READ);
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ concerts: { totalCount: 0 } });
    const login = await gql(stack, LOG_IN, { email: fan.email, password: fan.password });
    expect(codeOf(login)).toBe('SERVICE_UNAVAILABLE');
    expect(login.errors?.[0]?.message).toMatch(/temporarily unavailable/);
    const signup = await gql(stack, 'mutation { signUp(input: {email: "late@example.com", password: "long enough pass", nickname: "late"}) { sessionToken } }');
    expect(codeOf(signup)).toBe('SERVICE_UNAVAILABLE');

    redis = await startRedis({ dataDir, port: redis.port });
    let recovered = false;
    for (const end = Date.now() + 15_000; !recovered && Date.now() < end; ) {
      recovered = !(await gql(stack, LOG_IN, { email: fan.email, password: fan.password })).errors;
      if (!recovered) await sleep(200);
    }
    expect(recovered).toBe(true);
    expect((await fetch(`${stack.baseUrl}/health/ready`)).status).toBe(200);
    // The session from before the outage survived it (append-only file).
    expect((await ok(stack, '{ me { id } }', {}, { token: fan.token })).me.id).toBe(fan.user.id);
  });
});

describe('operation limits and HTTP hardening', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      MAX_DEPTH: '4',
      MAX_ALIASES: '5',
      MAX_DIRECTIVES: '4',
      MAX_TOKENS: '400',
      MAX_COST: '1000',
      CORS_ORIGINS: 'https://app.stagelives.test',
    });
  });
  afterAll(() => stack?.close());

  const rejectedBeforeSubgraphs = async (query: string, pattern: RegExp) => {
    stack.fetches.reset();
    const res = await gql(stack, query);
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.map((e) => e.message).join('\n')).toMatch(pattern);
    expect(stack.fetches.list).toEqual([]);
  };

  it('should refuse too deep, too aliased, too directive-heavy, too long and too costly operations before any subgraph', async () => {
    expect((await gql(stack, '{ concerts { edges { node { id } } } }')).errors).toBeUndefined();
    await rejectedBeforeSubgraphs('{ concerts { edges { node { createdBy { id } } } } }', /depth/i);
    await rejectedBeforeSubgraphs(`{ ${Array.from({ length: 6 }, (_, i) => `a${i}: concerts(first: 1) { totalCount }`).join(' ')} }`, /alias/i);
    await rejectedBeforeSubgraphs(
      '{ concerts @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) { totalCount } }',
      /directive/i,
    );
    await rejectedBeforeSubgraphs(`{ concerts { ${Array.from({ length: 500 }, () => 'totalCount').join(' ')} } }`, /token/i);
    await rejectedBeforeSubgraphs(
      `{ ${Array.from({ length: 5 }, (_, i) => `a${i}: concerts(first: 100) { edges { node { id title artist venue startsAt status } } }`).join(' ')} }`,
      /costs 1005, over the limit of 1000/,
    );
  });

  it('should never suggest field names outside development', async () => {
    const res = await gql(stack, '{ concertz { totalCount } }');
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.errors)).not.toMatch(/Did you mean/i);
  });

  it('should refuse batched HTTP requests', async () => {
    const res = await post(stack, JSON.stringify([{ query: READ }, { query: READ }]));
    expect(res.status).toBe(400);
    expect(res.text).not.toMatch(/totalCount/);
  });

  it('should execute nothing from a text/plain POST or a GET mutation (CSRF)', async () => {
    const email = `csrf${Date.now()}@example.com`;
    const mutation = `mutation { signUp(input: {email: "${email}", password: "long enough pass", nickname: "csrf${Date.now()}"}) { sessionToken } }`;
    const plain = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: mutation }) });
    expect(plain.status).toBe(400);
    const get = await fetch(`${stack.url}?query=${encodeURIComponent(mutation)}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(405);
    const simpleGet = await fetch(`${stack.url}?query=${encodeURIComponent(mutation)}`);
    expect(simpleGet.status).toBe(400);
    expect(await stack.mongo.db('users').collection('users').countDocuments({ email })).toBe(0);
  });

  it('should allow CORS only for configured origins, with credentials', async () => {
    const allowed = await fetch(stack.url, { method: 'OPTIONS', headers: { origin: 'https://app.stagelives.test', 'access-control-request-method': 'POST' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.stagelives.test');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const denied = await fetch(stack.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('should send security headers and refuse oversized bodies', async () => {
    const res = await post(stack, JSON.stringify({ query: READ }));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-powered-by')).toBeNull();
    const big = await post(stack, JSON.stringify({ query: READ, variables: { pad: 'x'.repeat(150_000) } }));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('should never let a value reach MongoDB as an operator object', async () => {
    const fan = await signUp(stack);
    const res = await post(stack, JSON.stringify({ query: LOG_IN, variables: { email: { $gt: '' }, password: { $ne: null } } }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.text).not.toContain('sessionToken');
    const idInjection = await post(stack, JSON.stringify({ query: 'query($id: ID!) { user(id: $id) { id } }', variables: { id: { $ne: null } } }));
    expect(idInjection.status).toBe(400);
    // Operator-looking strings are just text.
    expect(codeOf(await gql(stack, LOG_IN, { email: '$gt', password: fan.password }))).toBe('UNAUTHENTICATED');
  });
});

describe('production mode', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ NODE_ENV: 'production' });
  });
  afterAll(() => stack?.close());

  it('should use a __Host- Secure cookie, hide stack traces and refuse introspection', async () => {
    const res = await gql(stack, 'mutation { signUp(input: {email: "prod@example.com", password: "long enough pass", nickname: "prod1"}) { sessionToken } }');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^__Host-sl_session=/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Path=\//);
    const bad = await gql(stack, '{ concerts(after: "nope") { totalCount } }');
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(bad.errors)).not.toMatch(/stacktrace|at .*\.ts:/);
    const intro = await gql(stack, '{ __schema { types { name } } }');
    expect(intro.data ?? null).toBeNull();
    expect(JSON.stringify(intro.errors)).toMatch(/introspection/i);
  });

  it('should allow introspection in production only when ALLOW_INTROSPECTION is set', async () => {
    const open = await startStack({ NODE_ENV: 'production', ALLOW_INTROSPECTION: 'true' });
    try {
      expect((await ok(open, '{ __schema { queryType { name } } }')).__schema.queryType.name).toBe('Query');
    } finally {
      await open.close();
    }
  });
});

describe('session timeouts', () => {
  it('should end a session after the idle timeout, and after the absolute timeout even when active', async () => {
    const idle = await startStack({ SESSION_IDLE_TTL_SECONDS: '2', SESSION_ABSOLUTE_TTL_SECONDS: '60' });
    const absolute = await startStack({ SESSION_IDLE_TTL_SECONDS: '60', SESSION_ABSOLUTE_TTL_SECONDS: '3' });
    try {
      const me = (s: Stack, token: string) => ok(s, '{ me { id } }', {}, { token }).then((d) => d.me?.id ?? null);
      const idleCheck = (async () => {
        const a = await signUp(idle);
        await sleep(1000);
        expect(await me(idle, a.token)).toBe(a.user.id); // use slides the idle timeout
        await sleep(1200);
        expect(await me(idle, a.token)).toBe(a.user.id);
        await sleep(2600);
        expect(await me(idle, a.token)).toBeNull();
      })();
      const absoluteCheck = (async () => {
        const b = await signUp(absolute);
        for (let i = 0; i < 2; i += 1) {
          await sleep(1000);
          expect(await me(absolute, b.token)).toBe(b.user.id);
        }
        await sleep(1600);
        expect(await me(absolute, b.token)).toBeNull();
      })();
      await Promise.all([idleCheck, absoluteCheck]);
    } finally {
      await idle.close();
      await absolute.close();
    }
  });
});
