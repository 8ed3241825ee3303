import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '@stagelives/schema/tooling';
import { signUp, startStack, type Stack } from '../support/harness.js';
import { MESSAGE_ADDED, join, rawSocket, roomWithMember, send } from '../support/live.js';

// OPERATIONS=trusted: a second router over the same subgraphs runs only the contract's operations;
// the stack's own router stays in the default mode (anything runs) and sets the scene.

/** The rule clients follow, computed here on its own: sha256 hex of the operation's text in the contract file. */
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const contract = new Map(loadContract().map((o) => [o.name, o.source]));
const source = (name: string) => {
  const text = contract.get(name);
  if (!text) throw new Error(`no ${name} in the contract`);
  return text;
};
const ME = source('Me');
const CONCERTS = source('Concerts');
const LOG_OUT = source('LogOut');
const MESSAGE_ADDED_CONTRACT = source('MessageAdded');
const persisted = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

let stack: Stack;
let trusted: Awaited<ReturnType<Stack['extraRouter']>>;
beforeAll(async () => {
  stack = await startStack({ FIELD_RATE_LIMIT_FACTOR: '1000', CHAT_RESYNC_SECONDS: '600' });
  trusted = await stack.extraRouter({ OPERATIONS: 'trusted' });
});
afterAll(() => stack?.close());

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

async function post(url: string, body: Record<string, unknown>, token?: string): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

async function get(url: string, params: Record<string, unknown>, token?: string): Promise<Answer> {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  const res = await fetch(`${url}?${search}`, { headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;
const subgraphCalls = () => Object.values(stack.subgraphRequests.byName).reduce((a, b) => a + b, 0);

/** Runs `request` and expects it refused with `code` and `status`, no data and no subgraph called. */
async function expectRefused(request: () => Promise<Answer>, code: string, status: number) {
  stack.subgraphRequests.reset();
  const answer = await request();
  expect(codeOf(answer), JSON.stringify(answer.body)).toBe(code);
  expect(answer.status).toBe(status);
  expect(answer.body.data ?? undefined).toBeUndefined();
  expect(stack.subgraphRequests.byName).toEqual(Object.fromEntries(Object.keys(stack.subgraphRequests.byName).map((n) => [n, 0])));
  return answer;
}

describe('OPERATIONS=trusted over HTTP', () => {
  it('should run a contract operation sent as its text, exactly or reformatted, calling the subgraphs', async () => {
    const fan = await signUp(stack);
    stack.subgraphRequests.reset();
    const exact = await post(trusted.url, { query: ME }, fan.token);
    expect(exact.status).toBe(200);
    expect(exact.body.errors).toBeUndefined();
    expect(exact.body.data?.me).toMatchObject({ id: fan.user.id, nickname: fan.nickname });
    expect(stack.subgraphRequests.byName.users).toBeGreaterThan(0);

    const reformatted = `# the same operation, other layout\n${ME.replace(/\s+/g, '  ').replace('me', 'me ,')}\n`;
    expect(reformatted).not.toBe(ME);
    const again = await post(trusted.url, { query: reformatted, operationName: 'Me' }, fan.token);
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data?.me.id).toBe(fan.user.id);

    const concerts = await post(trusted.url, { query: CONCERTS, variables: { first: 5 } });
    expect(concerts.body.errors).toBeUndefined();
    expect(concerts.body.data?.concerts).toMatchObject({ totalCount: expect.any(Number) });
  });

  it('should run a contract operation sent as its hash alone, by POST and by GET, and with text and hash together', async () => {
    const fan = await signUp(stack);
    stack.subgraphRequests.reset();
    const byPost = await post(trusted.url, { extensions: persisted(sha256(ME)) }, fan.token);
    expect(byPost.body.errors).toBeUndefined();
    expect(byPost.body.data?.me.id).toBe(fan.user.id);
    expect(subgraphCalls()).toBeGreaterThan(0);

    const byGet = await get(trusted.url, { extensions: persisted(sha256(CONCERTS)), variables: { first: 3 } });
    expect(byGet.status).toBe(200);
    expect(byGet.body.errors).toBeUndefined();
    expect(byGet.body.data?.concerts).toMatchObject({ totalCount: expect.any(Number) });

    const both = await post(trusted.url, { query: ME, extensions: persisted(sha256(ME)) }, fan.token);
    expect(both.body.errors).toBeUndefined();
    expect(both.body.data?.me.id).toBe(fan.user.id);
  });

  it('should run a contract mutation by hash over POST only (GET stays queries only)', async () => {
    const fan = await signUp(stack);
    await expectRefused(() => get(trusted.url, { extensions: persisted(sha256(LOG_OUT)) }, fan.token), 'BAD_REQUEST', 405);
    const loggedOut = await post(trusted.url, { extensions: persisted(sha256(LOG_OUT)) }, fan.token);
    expect(loggedOut.body.errors).toBeUndefined();
    expect(loggedOut.body.data?.logOut).toBe(true);
  });

  it('should refuse an operation that is not in the contract, before any subgraph is called', async () => {
    const fan = await signUp(stack);
    const refused = await expectRefused(() => post(trusted.url, { query: '{ me { id email } }' }, fan.token), 'PERSISTED_QUERY_NOT_IN_LIST', 403);
    expect(refused.body.errors?.[0]?.message).toMatch(/trusted operations/);
    await expectRefused(() => get(trusted.url, { query: '{ concerts(first: 1) { totalCount } }' }), 'PERSISTED_QUERY_NOT_IN_LIST', 403);
    await expectRefused(
      () =>
        post(trusted.url, {
          query: 'mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken } }',
          variables: { input: { email: 'x@example.com', nickname: 'x', password: 'correct horse battery' } },
        }),
      'PERSISTED_QUERY_NOT_IN_LIST',
      403,
    );
    // Not validated either: an unlisted operation learns nothing about the schema.
    const invalid = await expectRefused(() => post(trusted.url, { query: '{ secretField }' }), 'PERSISTED_QUERY_NOT_IN_LIST', 403);
    expect(JSON.stringify(invalid.body)).not.toMatch(/secretField|Query/);
  });

  it('should refuse a contract operation name with altered text, even with its own hash', async () => {
    const fan = await signUp(stack);
    const altered = ME.replace('me {', 'me { __typename');
    expect(altered).not.toBe(ME);
    await expectRefused(() => post(trusted.url, { query: altered, operationName: 'Me' }, fan.token), 'PERSISTED_QUERY_NOT_IN_LIST', 403);
    await expectRefused(() => post(trusted.url, { query: altered, extensions: persisted(sha256(altered)) }, fan.token), 'PERSISTED_QUERY_NOT_IN_LIST', 403);
  });

  it("should refuse a hash that is not the text's, and an unknown hash alone", async () => {
    const fan = await signUp(stack);
    await expectRefused(() => post(trusted.url, { query: ME, extensions: persisted(sha256(CONCERTS)) }, fan.token), 'PERSISTED_QUERY_HASH_MISMATCH', 400);
    await expectRefused(
      () => post(trusted.url, { query: ME.replace('me {', 'me { __typename'), extensions: persisted(sha256(ME)) }, fan.token),
      'PERSISTED_QUERY_HASH_MISMATCH',
      400,
    );
    await expectRefused(() => post(trusted.url, { extensions: persisted(sha256('{ me { id } }')) }, fan.token), 'PERSISTED_QUERY_NOT_FOUND', 200);
    await expectRefused(() => get(trusted.url, { extensions: persisted('0'.repeat(64)) }), 'PERSISTED_QUERY_NOT_FOUND', 200);
  });
});

describe('OPERATIONS=trusted over graphql-ws', () => {
  async function subscriber(url: string, token: string) {
    const socket = rawSocket(url);
    await socket.opened;
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    await socket.waitMessage((m) => m.type === 'connection_ack');
    return socket;
  }

  it("should run the contract's subscription, by text or by hash alone, and refuse one that is not listed", async () => {
    const { roomId, owner } = await roomWithMember(stack);
    const fan = await signUp(stack);
    await join(stack, roomId, fan.token);
    const socket = await subscriber(trusted.wsUrl, fan.token);
    socket.send({ id: 'unlisted', type: 'subscribe', payload: { query: MESSAGE_ADDED, variables: { roomId } } });
    socket.send({
      id: 'mismatch',
      type: 'subscribe',
      payload: { query: MESSAGE_ADDED, variables: { roomId }, extensions: persisted(sha256(MESSAGE_ADDED_CONTRACT)) },
    });
    socket.send({ id: 'unknown', type: 'subscribe', payload: { query: '', variables: { roomId }, extensions: persisted(sha256(MESSAGE_ADDED)) } });
    socket.send({ id: 'text', type: 'subscribe', payload: { query: MESSAGE_ADDED_CONTRACT, variables: { roomId } } });
    socket.send({ id: 'hash', type: 'subscribe', payload: { query: '', variables: { roomId }, extensions: persisted(sha256(MESSAGE_ADDED_CONTRACT)) } });

    const errorOf = async (id: string) => (await socket.waitMessage((m) => m.id === id && m.type === 'error')).payload[0].extensions.code;
    expect(await errorOf('unlisted')).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(await errorOf('mismatch')).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    expect(await errorOf('unknown')).toBe('PERSISTED_QUERY_NOT_FOUND');

    // Both listed subscriptions are live once an event reaches them (the hub's reads run as internal operations).
    await expect.poll(() => trusted.router.subscriptions.watchedRooms, { timeout: 10_000 }).toBe(1);
    const message = await send(stack, roomId, 'only trusted words', owner.token);
    for (const id of ['text', 'hash']) {
      const next = await socket.waitMessage((m) => m.id === id && m.type === 'next', 10_000);
      expect(next.payload.errors).toBeUndefined();
      expect(next.payload.data.messageAdded).toMatchObject({ id: message.id, body: 'only trusted words', room: { id: roomId } });
    }
    expect(
      socket.messages
        .filter((m) => m.type === 'error')
        .map((m) => m.id)
        .sort(),
    ).toEqual(['mismatch', 'unknown', 'unlisted']);
    socket.ws.close();
  });
});

describe('OPERATIONS=all (the default)', () => {
  it('should run any operation, listed or not, on the default router', async () => {
    const fan = await signUp(stack);
    const unlisted = await post(stack.url, { query: '{ me { id email } }' }, fan.token);
    expect(unlisted.body.errors).toBeUndefined();
    expect(unlisted.body.data?.me).toEqual({ id: fan.user.id, email: fan.email });
    const listed = await post(stack.url, { query: ME.replace('me {', 'me { __typename') }, fan.token);
    expect(listed.body.data?.me).toMatchObject({ __typename: 'User', id: fan.user.id });

    const socket = rawSocket(stack.wsUrl);
    await socket.opened;
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${fan.token}` } });
    await socket.waitMessage((m) => m.type === 'connection_ack');
    const { roomId } = await roomWithMember(stack);
    await join(stack, roomId, fan.token);
    socket.send({ id: 'any', type: 'subscribe', payload: { query: MESSAGE_ADDED, variables: { roomId } } });
    await expect.poll(() => stack.router.subscriptions.watchedRooms, { timeout: 10_000 }).toBeGreaterThan(0);
    await send(stack, roomId, 'anything goes', fan.token);
    const next = await socket.waitMessage((m) => m.id === 'any' && m.type === 'next', 10_000);
    expect(next.payload.data.messageAdded.body).toBe('anything goes');
    socket.ws.close();
  });
});
