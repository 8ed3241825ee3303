import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { ok, signUp, type Stack } from './stack.js';

export const MESSAGE_ADDED = /* GraphQL */ `
  subscription MessageAdded($roomId: ID!, $after: String) {
    messageAdded(roomId: $roomId, after: $after) { id seq body createdAt room { id } author { id nickname avatarUrl } }
  }
`;

export const SEND = 'mutation($roomId: ID!, $body: String!) { sendMessage(roomId: $roomId, body: $body) { id seq cursor body } }';

/** A graphql-ws client (the real one) authenticated with a session token, or not. */
export function wsClient(url: string, token?: string, options: Partial<Parameters<typeof createClient>[0]> = {}): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    onNonLazyError: () => undefined,
    ...options,
  });
}

export interface Feed<T = Record<string, any>> {
  results: Array<ExecutionResult<T>>;
  /** Resolves when `n` results arrived (or rejects on error / timeout). */
  waitFor(n: number, timeoutMs?: number): Promise<Array<ExecutionResult<T>>>;
  completed: Promise<void>;
  error: Promise<unknown>;
  stop(): void;
}

/** Subscribes and collects every result. */
export function collect<T = Record<string, any>>(client: Client, query: string, variables: Record<string, unknown>): Feed<T> {
  const results: Array<ExecutionResult<T>> = [];
  const waiters: Array<{ n: number; resolve: (r: Array<ExecutionResult<T>>) => void }> = [];
  let onComplete!: () => void;
  let onError!: (e: unknown) => void;
  const completed = new Promise<void>((r) => (onComplete = r));
  const error = new Promise<unknown>((r) => (onError = r));
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        results.push(value as ExecutionResult<T>);
        for (const w of [...waiters]) if (results.length >= w.n) w.resolve(results.slice());
      },
      error: (e) => onError(e),
      complete: () => onComplete(),
    },
  );
  return {
    results,
    completed,
    error,
    stop,
    waitFor: (n, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        if (results.length >= n) return resolve(results.slice());
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${n} results, got ${results.length}: ${JSON.stringify(results).slice(0, 500)}`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
      }),
  };
}

/** A room created by a fresh member, plus that member. */
export async function roomWithMember(stack: Stack, name = 'queue line') {
  const owner = await signUp(stack);
  const { createChatRoom } = await ok<{ createChatRoom: { id: string } }>(
    stack,
    'mutation($input: CreateChatRoomInput!) { createChatRoom(input: $input) { id } }',
    { input: { name } },
    { token: owner.token },
  );
  return { roomId: createChatRoom.id, owner };
}

export async function join(stack: Stack, roomId: string, token: string) {
  await ok(stack, 'mutation($roomId: ID!) { joinChatRoom(roomId: $roomId) { id } }', { roomId }, { token });
}

export const send = (stack: Pick<Stack, 'url'>, roomId: string, body: string, token: string) =>
  ok<{ sendMessage: { id: string; seq: number; cursor: string; body: string } }>(stack, SEND, { roomId, body }, { token }).then((d) => d.sendMessage);

/** Waits until `check` holds, polling. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A raw WebSocket speaking graphql-transport-ws, for protocol tests; records what the server sends and how it closes. */
export function rawSocket(url: string, { protocol = 'graphql-transport-ws', headers = {} }: { protocol?: string; headers?: Record<string, string> } = {}) {
  const ws = new WebSocket(url, protocol, { headers });
  const messages: Array<Record<string, any>> = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, any>));
  return {
    ws,
    messages,
    opened,
    closed,
    send: (message: unknown) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    waitMessage: async (predicate: (m: Record<string, any>) => boolean, timeoutMs = 5_000) => {
      await eventually(() => messages.some(predicate), timeoutMs, 'a websocket message');
      return messages.find(predicate)!;
    },
  };
}
