import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRouterConfig } from '../src/config.js';
import { SubgraphPolicies, SubgraphPolicy, SubgraphUnavailableError, resilientFetch } from '../src/resilience/index.js';

const base = { MONGODB_URI: 'mongodb://x', REDIS_URL: 'redis://x', IDENTITY_SECRET: 'x'.repeat(32), NODE_ENV: 'production' };

describe('router config: subgraph timeouts', () => {
  it('should default to 5 s and read per-subgraph overrides', () => {
    const config = loadRouterConfig({ ...base, SUBGRAPH_TIMEOUTS_MS: 'setlists=2000, chat=3000' });
    expect(config.SUBGRAPH_TIMEOUT_MS).toBe(5_000);
    expect(config.SUBGRAPH_TIMEOUTS_MS).toEqual({ setlists: 2000, chat: 3000 });
  });

  it('should refuse an unknown subgraph name or a value that is not milliseconds, naming the variable', () => {
    expect(() => loadRouterConfig({ ...base, SUBGRAPH_TIMEOUTS_MS: 'setlist=2000' })).toThrow(/SUBGRAPH_TIMEOUTS_MS: expected name=ms pairs/);
    expect(() => loadRouterConfig({ ...base, SUBGRAPH_TIMEOUTS_MS: 'setlists=2s' })).toThrow(/SUBGRAPH_TIMEOUTS_MS/);
    expect(() => loadRouterConfig({ ...base, SUBGRAPH_TIMEOUT_MS: '0' })).toThrow(/SUBGRAPH_TIMEOUT_MS/);
  });
});

describe(SubgraphPolicy.name, () => {
  // A real HTTP server that never answers: the timeout must abort the request and free the socket.
  let server: Server;
  let url = '';
  /** Sockets that carried a request and are still open (undici may also hold idle, unused ones). */
  const carrying = new Set<unknown>();
  beforeAll(async () => {
    server = createServer((req) => {
      carrying.add(req.socket);
      req.socket.on('close', () => carrying.delete(req.socket));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  it('should time out at its budget, close the socket, and open after consecutive failures', async () => {
    const policy = new SubgraphPolicy('setlists', { timeoutMs: 200, breakerFailures: 2, halfOpenAfterMs: 60_000 });
    const fetcher = resilientFetch(policy);
    const body = JSON.stringify({ query: '{ __typename }' });
    for (let i = 0; i < 2; i += 1) {
      const started = performance.now();
      const error = await fetcher(url, { method: 'POST', body }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SubgraphUnavailableError);
      expect((error as SubgraphUnavailableError).reason).toBe('timeout');
      expect(performance.now() - started).toBeLessThan(700);
    }
    // Aborted, not left to wait: the server sees the connections that carried them close.
    const end = Date.now() + 1_000;
    while (carrying.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(carrying.size).toBe(0);
    expect(policy.state).toBe('open');
    const fast = await fetcher(url, { method: 'POST', body }).catch((e: unknown) => e);
    expect((fast as SubgraphUnavailableError).reason).toBe('circuit-open');
    expect(policy.health).toMatchObject({ state: 'open', lastFailure: 'timeout' });
  });
});

describe(SubgraphPolicies.name, () => {
  it('should default the breaker to 5 consecutive failures and 10 s half-open, and refuse values that are not positive integers', () => {
    const config = loadRouterConfig(base);
    expect(config.SUBGRAPH_BREAKER_FAILURES).toBe(5);
    expect(config.SUBGRAPH_BREAKER_HALF_OPEN_MS).toBe(10_000);
    expect(loadRouterConfig({ ...base, SUBGRAPH_BREAKER_FAILURES: '2', SUBGRAPH_BREAKER_HALF_OPEN_MS: '500' })).toMatchObject({
      SUBGRAPH_BREAKER_FAILURES: 2,
      SUBGRAPH_BREAKER_HALF_OPEN_MS: 500,
    });
    expect(() => loadRouterConfig({ ...base, SUBGRAPH_BREAKER_FAILURES: '0' })).toThrow(/SUBGRAPH_BREAKER_FAILURES/);
    expect(() => loadRouterConfig({ ...base, SUBGRAPH_BREAKER_HALF_OPEN_MS: '1.5' })).toThrow(/SUBGRAPH_BREAKER_HALF_OPEN_MS/);
  });

  it('should build one closed breaker per subgraph, and refuse a subgraph it does not know', () => {
    const policies = new SubgraphPolicies(['chat', 'users'], loadRouterConfig({ ...base, SUBGRAPH_TIMEOUTS_MS: 'chat=2000' }));
    expect(policies.of('chat').subgraph).toBe('chat');
    expect(policies.health()).toEqual({
      chat: { state: 'closed', lastFailureAt: null, lastFailure: null },
      users: { state: 'closed', lastFailureAt: null, lastFailure: null },
    });
    expect(() => policies.of('setlists')).toThrow(/no policy for subgraph setlists/);
  });
});
