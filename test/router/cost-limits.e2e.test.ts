import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, gql, type Stack, startStack } from '../support/harness.js';
import { collect, eventually, roomWithMember, send, wsClient } from '../support/live.js';

const MAX_RESPONSE_BYTES = 40_000;
const LONG = 'x'.repeat(1_900);

/** The nested reproduction of issue 21 with its page size as a variable. */
const NESTED = `query($r: ID!, $n: Int) { chatRoom(id: $r) { messages(last: $n) { edges { node { room { messages(last: $n) { edges { node { body } } } } } } } } }`;
const NESTED_SUBSCRIPTION = `subscription($r: ID!, $n: Int) { messageAdded(roomId: $r) { room { messages(last: $n) { edges { node { room { messages(last: $n) { edges { node { body } } } } } } } } } }`;

let stack: Stack;
let roomId: string;
let owner: Awaited<ReturnType<typeof roomWithMember>>['owner'];

beforeAll(async () => {
  stack = await startStack({ MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES) });
  ({ roomId, owner } = await roomWithMember(stack, 'cost room'));
  for (let i = 0; i < 25; i += 1) await send(stack, roomId, `${i} ${LONG}`, owner.token);
});
afterAll(() => stack?.close());

/** Sends an operation and checks it was refused for its cost, with HTTP 400, before any subgraph was called. */
async function refusedForCost(query: string, variables: Record<string, unknown> = {}) {
  stack.fetches.reset();
  stack.subgraphRequests.reset();
  const res = await gql(stack, query, variables);
  expect(res.status).toBe(400);
  expect(res.data ?? null).toBeNull();
  expect(codeOf(res)).toBe('COST_LIMIT_EXCEEDED');
  expect(res.errors?.[0]?.message).toMatch(/costs \d+, over the limit of 6000/);
  expect(res.errors?.[0]?.extensions?.http).toBeUndefined();
  expect(stack.fetches.list).toEqual([]);
  expect(Object.values(stack.subgraphRequests.byName).reduce((a, b) => a + b, 0)).toBe(0);
  return res.errors![0]!.extensions!.cost as number;
}

describe('operation cost counted from the actual list sizes', () => {
  it('should refuse nested pages of 100 written as literals', async () => {
    expect(await refusedForCost(NESTED.replace('query($r: ID!, $n: Int) ', '').replace(/\$n/g, '100').replace('$r', JSON.stringify(roomId)))).toBe(20_402);
  });

  it('should refuse nested pages of 100 asked through a variable, aliased or not', async () => {
    expect(await refusedForCost(NESTED, { r: roomId, n: 100 })).toBe(20_402);
    const aliased = `query($r: ID!, $n: Int) { ${[1, 2, 3].map((i) => `a${i}: chatRoom(id: $r) { messages(last: $n) { edges { node { room { messages(last: $n) { edges { node { body author { nickname } } } } } } } } }`).join(' ')} }`;
    expect(await refusedForCost(aliased, { r: roomId, n: 100 })).toBe(3 * 30_402);
  });

  it('should refuse nested lists left to their default sizes', async () => {
    expect(await refusedForCost('{ chatRooms { edges { node { messages { edges { node { room { messages { edges { node { body } } } } } } } } } } }')).toBe(
      104_061,
    );
  });

  it('should still run ordinary pages whose size is a variable, nested ones included', async () => {
    const page = await gql(stack, 'query($r: ID!, $n: Int) { chatRoom(id: $r) { messages(last: $n) { edges { node { body } } } } }', { r: roomId, n: 5 });
    expect(page.errors).toBeUndefined();
    expect(page.data?.chatRoom.messages.edges).toHaveLength(5);
    const nested = await gql(stack, NESTED, { r: roomId, n: 3 });
    expect(nested.errors).toBeUndefined();
    expect(nested.data?.chatRoom.messages.edges[0].node.room.messages.edges).toHaveLength(3);
  });

  it('should refuse a subscription whose payload selection costs too much at its variables, before any subgraph', async () => {
    const client = wsClient(stack.wsUrl, owner.token);
    try {
      stack.fetches.reset();
      const reads = stack.router.subscriptions.reads;
      const refused = collect(client, NESTED_SUBSCRIPTION, { r: roomId, n: 100 });
      const errors = (await refused.error) as Array<{ message: string; extensions?: Record<string, unknown> }>;
      expect(errors[0]?.extensions?.code).toBe('COST_LIMIT_EXCEEDED');
      expect(errors[0]?.extensions?.cost).toBe(20_403);
      expect(stack.fetches.list).toEqual([]);
      expect(stack.router.subscriptions.reads).toBe(reads);

      // The same selection at small pages runs.
      const feed = collect(client, NESTED_SUBSCRIPTION, { r: roomId, n: 2 });
      await eventually(() => stack.router.subscriptions.watchedRooms > 0, 5_000, 'the subscription to start');
      await send(stack, roomId, 'small pages', owner.token);
      const [event] = await feed.waitFor(1);
      expect(event?.errors).toBeUndefined();
      expect(event?.data?.messageAdded.room.messages.edges).toHaveLength(2);
      feed.stop();
    } finally {
      await client.dispose();
    }
  });
});

describe('response size bound (MAX_RESPONSE_BYTES)', () => {
  it('should answer RESPONSE_TOO_LARGE alone when the subgraphs send more than the bound, and small pages as usual', async () => {
    const query = 'query($r: ID!, $n: Int) { chatRoom(id: $r) { id messages(last: $n) { edges { node { body } } } } }';
    const big = await gql(stack, query, { r: roomId, n: 25 });
    expect(big.status).toBe(400);
    expect(codeOf(big)).toBe('RESPONSE_TOO_LARGE');
    expect(big.data ?? null).toBeNull();
    expect(big.errors).toHaveLength(1);
    const small = await gql(stack, query, { r: roomId, n: 10 });
    expect(small.errors).toBeUndefined();
    expect(small.data?.chatRoom.messages.edges).toHaveLength(10);
  });

  it('should end a subscription whose event payload is larger than the bound with RESPONSE_TOO_LARGE', async () => {
    const client = wsClient(stack.wsUrl, owner.token);
    try {
      const feed = collect(client, 'subscription($r: ID!) { messageAdded(roomId: $r) { body room { messages(last: 25) { edges { node { body } } } } } }', {
        r: roomId,
      });
      await eventually(() => stack.router.subscriptions.watchedRooms > 0, 5_000, 'the subscription to start');
      await send(stack, roomId, 'one more', owner.token);
      const errors = (await feed.error) as Array<{ extensions?: Record<string, unknown> }>;
      expect(errors[0]?.extensions?.code).toBe('RESPONSE_TOO_LARGE');
      expect(feed.results).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});

describe('REST shim', () => {
  it('should cost the contract operation a route runs, with the page size the request asked for', async () => {
    const extra = await stack.extraRouter({ MAX_COST: '250' });
    try {
      const base = extra.url.replace(/\/graphql$/, '');
      stack.fetches.reset();
      const big = await fetch(`${base}/chat/rooms/${roomId}/messages?limit=100`);
      expect(big.status).toBe(400);
      expect(((await big.json()) as { error: { code: string } }).error.code).toBe('COST_LIMIT_EXCEEDED');
      expect(stack.fetches.list).toEqual([]);
      const small = await fetch(`${base}/chat/rooms/${roomId}/messages?limit=3`);
      expect(small.status).toBe(200);
    } finally {
      await extra.close();
    }
  });
});

describe('API headers', () => {
  it('should forbid framing the API: CSP frame-ancestors none and X-Frame-Options DENY', async () => {
    for (const res of [
      await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }),
      await fetch(`${stack.baseUrl}/health`),
    ]) {
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('content-security-policy')).not.toMatch(/frame-ancestors 'self'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      await res.text();
    }
  });
});

/** A raw TCP client of the router: what it received, and when the server closed it. */
function rawClient(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => void (received += d));
  socket.on('error', () => undefined);
  const opened = Date.now();
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - opened)));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed, connected, received: () => received };
}

describe('slow requests and open connections', () => {
  let extra: Awaited<ReturnType<Stack['extraRouter']>>;
  let port: number;
  beforeAll(async () => {
    extra = await stack.extraRouter({ HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_MAX_CONNECTIONS_PER_IP: '6' });
    port = Number(new URL(extra.url).port);
  });
  afterAll(() => extra?.close());

  it('should cut a body that trickles in after HTTP_REQUEST_TIMEOUT_MS with 408', async () => {
    const client = rawClient(port);
    await client.connected;
    client.socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
    const drip = setInterval(() => client.socket.writable && client.socket.write('{'), 300);
    try {
      const after = await Promise.race([client.closed, new Promise<number>((r) => setTimeout(() => r(-1), 8_000))]);
      expect(after).toBeGreaterThanOrEqual(1_900);
      expect(after).toBeLessThan(6_000);
      expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
      client.socket.destroy();
    }
  });

  it('should cut headers that trickle in after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const client = rawClient(port);
    await client.connected;
    client.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    let n = 0;
    const drip = setInterval(() => client.socket.writable && client.socket.write(`X-Slow-${(n += 1)}: 1\r\n`), 200);
    try {
      const after = await Promise.race([client.closed, new Promise<number>((r) => setTimeout(() => r(-1), 8_000))]);
      expect(after).toBeGreaterThanOrEqual(900);
      expect(after).toBeLessThan(1_900 + 1_500);
      expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
      client.socket.destroy();
    }
  });

  it('should keep a WebSocket open past the request timeout', async () => {
    const client = wsClient(extra.wsUrl, owner.token);
    try {
      await eventually(() => extra.router.subscriptions.connections === 1, 5_000, 'the socket to open');
      await new Promise((r) => setTimeout(r, 3_000));
      expect(extra.router.subscriptions.connections).toBe(1);
    } finally {
      await client.dispose();
    }
  });

  it('should refuse connections past HTTP_MAX_CONNECTIONS_PER_IP from one address with 429, and take new ones once they close', async () => {
    const held = Array.from({ length: 6 }, () => rawClient(port));
    await Promise.all(held.map((c) => c.connected));
    const refused = rawClient(port);
    try {
      const after = await Promise.race([refused.closed, new Promise<number>((r) => setTimeout(() => r(-1), 3_000))]);
      expect(after).toBeGreaterThanOrEqual(0);
      expect(refused.received()).toMatch(/^HTTP\/1\.1 429/);
      for (const c of held) c.socket.destroy();
      await Promise.all(held.map((c) => c.closed));
      await eventually(
        async () => (await fetch(`${extra.url.replace(/\/graphql$/, '')}/health`).catch(() => null))?.status === 200,
        3_000,
        'a new connection to be served',
      );
    } finally {
      for (const c of held) c.socket.destroy();
      refused.socket.destroy();
    }
  });
});
