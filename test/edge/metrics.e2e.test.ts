import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signUp, startStack, type Stack } from '../support/harness.js';
import { MESSAGE_ADDED, SEND, collect, wsClient } from '../support/live.js';
import { createRoom } from '../chat/fixtures.js';
import { hasSeries, scrape, sampleValue } from './prom.js';

const METRICS_TOKEN = 'edge-metrics-token-0123456789';

describe('metrics: Prometheus /metrics on the router and the subgraphs, after real traffic', () => {
  let stack: Stack;
  let metricsUrl: string;
  beforeAll(async () => {
    stack = await startStack();
    metricsUrl = `${stack.baseUrl}/metrics`;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('should count a named operation by outcome, time it, and time its subgraph fetches', async () => {
    const before = await scrape(metricsUrl);
    // Default process metrics and every router series are there from the start.
    expect(hasSeries(before, 'process_cpu_user_seconds_total')).toBe(true);
    expect(hasSeries(before, 'nodejs_eventloop_lag_seconds')).toBe(true);
    for (const name of [
      'stagelives_router_websocket_connections',
      'stagelives_router_subscriptions_active',
      'stagelives_router_subscription_deliveries_total',
    ]) {
      expect(hasSeries(before, name), name).toBe(true);
    }
    const ok = { operation: 'EdgeMetricsProbe', outcome: 'ok' };
    expect(sampleValue(before, 'stagelives_router_requests_total', ok)).toBe(0);

    // Three different pages: the response cache would answer a repeated one without a subgraph fetch.
    for (let i = 0; i < 3; i += 1) {
      const res = await gql(stack, `query EdgeMetricsProbe { concerts(first: ${i + 1}) { totalCount } }`);
      expect(res.errors).toBeUndefined();
    }
    const invalid = await gql(stack, 'query EdgeMetricsBroken { concerts(first: 1) { noSuchField } }');
    expect(invalid.status).toBe(400);

    const after = await scrape(metricsUrl);
    expect(sampleValue(after, 'stagelives_router_requests_total', ok)).toBe(3);
    expect(sampleValue(after, 'stagelives_router_requests_total', { operation: 'EdgeMetricsBroken', outcome: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(sampleValue(after, 'stagelives_router_request_duration_seconds_count', { operation: 'EdgeMetricsProbe' })).toBe(3);
    expect(sampleValue(after, 'stagelives_router_request_duration_seconds_sum', { operation: 'EdgeMetricsProbe' })).toBeGreaterThan(0);
    const fetchesBefore = sampleValue(before, 'stagelives_router_subgraph_fetch_duration_seconds_count', { subgraph: 'concerts', outcome: 'ok' });
    expect(sampleValue(after, 'stagelives_router_subgraph_fetch_duration_seconds_count', { subgraph: 'concerts', outcome: 'ok' })).toBeGreaterThanOrEqual(
      fetchesBefore + 3,
    );
    // No label carries a query text or anything but bounded names.
    for (const s of after.filter((x) => x.name.startsWith('stagelives_router_requests_total'))) expect(s.labels.operation).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });

  it('should serve each subgraph its own series on its internal port', async () => {
    await gql(stack, 'query EdgeSubgraphProbe { concerts(first: 1) { totalCount } }');
    const concertsMetrics = stack.subgraphUrls.concerts!.replace(/\/graphql$/, '/metrics');
    const samples = await scrape(concertsMetrics);
    // The router names its subgraph operation EdgeSubgraphProbe__concerts__0: the label keeps the client's name.
    expect(sampleValue(samples, 'stagelives_subgraph_requests_total', { subgraph: 'concerts', operation: 'EdgeSubgraphProbe', outcome: 'ok' })).toBe(1);
    expect(sampleValue(samples, 'stagelives_subgraph_request_duration_seconds_count', { subgraph: 'concerts', operation: 'EdgeSubgraphProbe' })).toBe(1);
    expect(hasSeries(samples, 'stagelives_subgraph_errors_total')).toBe(true);
    // An error a subgraph answers is counted by code.
    const denied = await gql(
      stack,
      'mutation EdgeDenied { createConcert(input: {title: "x", artist: "y", venue: "z", startsAt: "2032-01-01T00:00:00Z"}) { id } }',
    );
    expect(denied.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const later = await scrape(concertsMetrics);
    expect(sampleValue(later, 'stagelives_subgraph_errors_total', { subgraph: 'concerts', operation: 'EdgeDenied', code: 'UNAUTHENTICATED' })).toBe(1);
    const users = await scrape(stack.subgraphUrls.users!.replace(/\/graphql$/, '/metrics'));
    expect(sampleValue(users, 'stagelives_subgraph_requests_total', { subgraph: 'users' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(users, 'stagelives_subgraph_requests_total', { subgraph: 'concerts' })).toBe(0);
  });

  it('should count rate-limited operations by bucket', async () => {
    const limited = await stack.extraRouter({ RATE_LIMIT_PUBLIC_READ: '2', RATE_LIMIT_WINDOW_SECONDS: '60' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await gql({ url: limited.url }, 'query EdgeLimited { concerts(first: 1) { totalCount } }')).status);
      const refused = statuses.filter((s) => s === 429).length;
      expect(refused).toBeGreaterThanOrEqual(2);
      const samples = await scrape(limited.url.replace(/\/graphql$/, '/metrics'));
      expect(sampleValue(samples, 'stagelives_router_rate_limited_total', { bucket: 'publicRead' })).toBe(refused);
      expect(sampleValue(samples, 'stagelives_router_requests_total', { operation: 'EdgeLimited', outcome: 'RATE_LIMITED' })).toBe(refused);
    } finally {
      await limited.close();
    }
  });

  it('should show WebSocket connections and subscriptions in the gauges and count deliveries', async () => {
    const user = await signUp(stack);
    const room = await createRoom(stack, user.token);
    const before = await scrape(metricsUrl);
    expect(sampleValue(before, 'stagelives_router_websocket_connections')).toBe(0);
    const client = wsClient(stack.wsUrl, user.token);
    const feed = collect(client, MESSAGE_ADDED, { roomId: room.id });
    try {
      // The subscription is live once the hub has it: poll the gauge.
      let samples = before;
      for (let i = 0; i < 100 && sampleValue(samples, 'stagelives_router_subscriptions_active') < 1; i += 1) {
        await new Promise((r) => setTimeout(r, 50));
        samples = await scrape(metricsUrl);
      }
      expect(sampleValue(samples, 'stagelives_router_websocket_connections')).toBe(1);
      expect(sampleValue(samples, 'stagelives_router_subscriptions_active')).toBe(1);
      const delivered = sampleValue(samples, 'stagelives_router_subscription_deliveries_total');

      const sent = await gql(stack, SEND, { roomId: room.id, body: 'metrics hello' }, { token: user.token });
      expect(sent.errors).toBeUndefined();
      await feed.waitFor(1);
      const after = await scrape(metricsUrl);
      expect(sampleValue(after, 'stagelives_router_subscription_deliveries_total')).toBe(delivered + 1);
    } finally {
      feed.stop();
      await client.dispose();
    }
    let samples = await scrape(metricsUrl);
    for (let i = 0; i < 100 && sampleValue(samples, 'stagelives_router_websocket_connections') > 0; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      samples = await scrape(metricsUrl);
    }
    expect(sampleValue(samples, 'stagelives_router_websocket_connections')).toBe(0);
    expect(sampleValue(samples, 'stagelives_router_subscriptions_active')).toBe(0);
  });

  it('should count WebSocket upgrades refused by the connection limit as rate-limited', async () => {
    const limited = await stack.extraRouter({ WS_CONNECTIONS_PER_MINUTE: '1' });
    try {
      const user = await signUp(stack);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        statuses.push(
          await new Promise<number>((resolve) => {
            const client = wsClient(limited.wsUrl, user.token, {
              on: { connected: () => resolve(101), closed: (e) => resolve((e as { code?: number }).code ?? 0) },
            });
            setTimeout(() => void client.dispose(), 500);
          }),
        );
      }
      const samples = await scrape(limited.url.replace(/\/graphql$/, '/metrics'));
      expect(statuses.filter((s) => s !== 101).length).toBeGreaterThanOrEqual(1);
      expect(sampleValue(samples, 'stagelives_router_rate_limited_total', { bucket: 'ws-connect' })).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });

  it('should keep /metrics and /health/subgraphs off the public port in production unless a token is set, and serve METRICS_PORT instead when given', async () => {
    const production = await stack.extraRouter({ NODE_ENV: 'production' });
    try {
      expect((await fetch(production.url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
      expect((await fetch(production.url.replace(/\/graphql$/, '/health/subgraphs'))).status).toBe(404);
    } finally {
      await production.close();
    }

    const withToken = await stack.extraRouter({ NODE_ENV: 'production', METRICS_TOKEN });
    try {
      const url = withToken.url.replace(/\/graphql$/, '/metrics');
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
      expect(hasSeries(await scrape(url, { authorization: `Bearer ${METRICS_TOKEN}` }), 'stagelives_router_requests_total')).toBe(true);
      const breakers = withToken.url.replace(/\/graphql$/, '/health/subgraphs');
      expect((await fetch(breakers)).status).toBe(401);
      const detail = await fetch(breakers, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(detail.status).toBe(200);
      expect(((await detail.json()) as { subgraphs: Record<string, { state: string }> }).subgraphs.setlists?.state).toBe('closed');
    } finally {
      await withToken.close();
    }

    const separate = await stack.extraRouter({ NODE_ENV: 'production', METRICS_PORT: '0' });
    try {
      expect((await fetch(separate.url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
      const port = separate.router.metricsPort;
      expect(port).toBeGreaterThan(0);
      expect(hasSeries(await scrape(`http://127.0.0.1:${port}/metrics`), 'stagelives_router_requests_total')).toBe(true);
      expect((await fetch(separate.url.replace(/\/graphql$/, '/health/subgraphs'))).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/health/subgraphs`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/graphql`)).status).toBe(404);
    } finally {
      await separate.close();
    }
  });
});
