import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPERGRAPH_PATH } from '@stagelives/schema';
import { codeOf, gql, ok, startStack, type Stack } from '../support/harness.js';
import { MESSAGE_ADDED, collect, eventually, roomWithMember, send, wsClient } from '../support/live.js';

// The router serves the file at `path`, polled every 50 ms. It starts on the checked-in supergraph
// without ChatRoom.lastActivityAt (the chat subgraph serves it: a subgraph ships a field before
// the supergraph that exposes it, as in a real roll-out); the reload brings the field back and a
// changed description of ChatRoom.memberCount.
const FIELD = '\n  """Creation or the newest message (rooms are listed by it, newest first)."""\n  lastActivityAt: DateTime!\n';
const DESCRIPTION = '"""Counted from the membership documents: exact."""';
const CHANGED_DESCRIPTION = '"""Members of the room, counted from the membership documents (exact)."""';

let stack: Stack;
let dir: string;
let path: string;
let released: string;

/** Replaces the file the way a deployment should (write beside it, then rename): the router never reads half a file. */
async function publish(sdl: string): Promise<void> {
  const next = `${path}.${Date.now()}.tmp`;
  await writeFile(next, sdl);
  await rename(next, path);
}

async function reloads(outcome: 'applied' | 'refused'): Promise<number> {
  const text = await (await fetch(`${stack.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`stagelives_supergraph_reloads_total{outcome="${outcome}"}`));
  return Number(line?.split(' ').pop() ?? 0);
}

const memberCountDescription = async () => {
  const { __type } = await ok<{ __type: { fields: Array<{ name: string; description: string | null }> } }>(
    stack,
    '{ __type(name: "ChatRoom") { fields { name description } } }',
  );
  return __type.fields.find((f) => f.name === 'memberCount')?.description;
};

beforeAll(async () => {
  released = await readFile(SUPERGRAPH_PATH, 'utf8');
  expect(released).toContain(FIELD);
  expect(released).toContain(DESCRIPTION);
  dir = await mkdtemp(join(tmpdir(), 'supergraph-reload-'));
  path = join(dir, 'supergraph.graphql');
  await writeFile(path, released.replace(FIELD, '\n'));
  stack = await startStack({ SUPERGRAPH_PATH: path, SUPERGRAPH_POLL_SECONDS: '0.05', CHAT_RESYNC_SECONDS: '600', RESPONSE_CACHE: 'on' });
});
afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const LAST_ACTIVITY = 'query($id: ID!) { chatRoom(id: $id) { id lastActivityAt } }';

describe('supergraph reload', () => {
  it('should serve a changed supergraph while queries run and a subscription stays open: the new field, the new description, nothing failed', async () => {
    const { roomId, owner } = await roomWithMember(stack, 'reload room');
    // Subscribed after a first message: what follows reaches it whether it is replayed or live (no wait for the join).
    const opening = await send(stack, roomId, 'opening', owner.token);
    const client = wsClient(stack.wsUrl, owner.token);
    const feed = collect(client, MESSAGE_ADDED, { roomId, after: opening.cursor });
    try {
      await send(stack, roomId, 'before the reload', owner.token);
      await feed.waitFor(1);

      // The field is not in the served supergraph yet.
      expect(codeOf(await gql(stack, LAST_ACTIVITY, { id: roomId }))).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(await memberCountDescription()).toBe('Counted from the membership documents: exact.');

      // A load of queries (anonymous and signed in, public and viewer-dependent fields) across the reload.
      const failures: unknown[] = [];
      let done = 0;
      let running = true;
      const queries: Array<() => Promise<unknown>> = [
        () => gql(stack, 'query($id: ID!) { chatRoom(id: $id) { id name memberCount } }', { id: roomId }),
        () => gql(stack, 'query($id: ID!) { chatRoom(id: $id) { id viewerIsMember lastSeq } }', { id: roomId }, { token: owner.token }),
        () => gql(stack, '{ concerts(first: 3) { totalCount edges { node { id title } } } }'),
      ];
      const workers = Array.from({ length: 6 }, async (_, i) => {
        while (running) {
          const res = (await queries[i % queries.length]!()) as { errors?: unknown[]; status: number };
          if (res.errors?.length || res.status !== 200) failures.push(res.errors ?? res.status);
          done += 1;
        }
      });
      await eventually(() => done >= 30, 10_000, 'the load to run');
      const beforeReload = done;

      await publish(released.replace(DESCRIPTION, CHANGED_DESCRIPTION));
      await eventually(async () => (await gql(stack, LAST_ACTIVITY, { id: roomId })).errors === undefined, 10_000, 'the new field to be served');
      await eventually(() => done >= beforeReload + 60, 10_000, 'the load to go on after the reload');
      running = false;
      await Promise.all(workers);
      expect(failures).toEqual([]);

      const { chatRoom } = await ok<{ chatRoom: { lastActivityAt: string } }>(stack, LAST_ACTIVITY, { id: roomId }, { token: owner.token });
      expect(Date.parse(chatRoom.lastActivityAt)).toBeGreaterThan(0);
      expect(await memberCountDescription()).toBe('Members of the room, counted from the membership documents (exact).');
      expect(await reloads('applied')).toBe(1);

      // The open subscription kept going through the reload.
      const last = await send(stack, roomId, 'after the reload', owner.token);
      const results = await feed.waitFor(2);
      expect(results.map((r) => r.data?.messageAdded?.body)).toEqual(['before the reload', 'after the reload']);
      expect(results.every((r) => r.errors === undefined)).toBe(true);

      // New subscriptions are validated against the new API schema: they may select the new field.
      await send(stack, roomId, 'with the new field', owner.token);
      const withField = collect(
        client,
        'subscription($roomId: ID!, $after: String) { messageAdded(roomId: $roomId, after: $after) { body room { id lastActivityAt } } }',
        { roomId, after: last.cursor },
      );
      const [next] = await withField.waitFor(1);
      expect(next?.errors).toBeUndefined();
      expect(next?.data?.messageAdded?.body).toBe('with the new field');
      expect(next?.data?.messageAdded?.room?.lastActivityAt).toEqual(expect.any(String));
      withField.stop();
    } finally {
      feed.stop();
      await client.dispose();
    }
  });

  it('should refuse a supergraph that does not parse or compose, count and keep serving the one it has', async () => {
    const { roomId, owner } = await roomWithMember(stack, 'refusals');
    const served = released.replace(DESCRIPTION, CHANGED_DESCRIPTION);
    await publish(served);
    await eventually(async () => (await gql(stack, LAST_ACTIVITY, { id: roomId })).errors === undefined, 10_000, 'the full supergraph to be served');
    const refusedBefore = await reloads('refused');
    const appliedBefore = await reloads('applied');

    // Not GraphQL at all (a truncated file).
    await publish(served.slice(0, served.length / 2));
    await eventually(async () => (await reloads('refused')) === refusedBefore + 1, 10_000, 'the truncated supergraph to be refused');
    // GraphQL, but not a supergraph that composes: a field joined to a subgraph the supergraph does not have.
    const unknownGraph = served.replace(
      '  chatRoom(id: ID!): ChatRoom @join__field(graph: CHAT)',
      '  chatRoom(id: ID!): ChatRoom @join__field(graph: NOWHERE)',
    );
    expect(unknownGraph).not.toBe(served);
    await publish(unknownGraph);
    await eventually(async () => (await reloads('refused')) === refusedBefore + 2, 10_000, 'the broken supergraph to be refused');

    // The served supergraph is still the last good one, whole: its field, its description, chat through it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await reloads('refused')).toBe(refusedBefore + 2);
    expect(await reloads('applied')).toBe(appliedBefore);
    const { chatRoom } = await ok<{ chatRoom: { id: string; lastActivityAt: string } }>(stack, LAST_ACTIVITY, { id: roomId });
    expect(chatRoom.id).toBe(roomId);
    expect(await memberCountDescription()).toBe('Members of the room, counted from the membership documents (exact).');
    const opening = await send(stack, roomId, 'opening', owner.token);
    await send(stack, roomId, 'still served', owner.token);
    const client = wsClient(stack.wsUrl, owner.token);
    const feed = collect(client, MESSAGE_ADDED, { roomId, after: opening.cursor });
    try {
      expect((await feed.waitFor(1))[0]?.data?.messageAdded?.body).toBe('still served');
    } finally {
      feed.stop();
      await client.dispose();
    }

    // A good supergraph after the refused ones is taken again.
    await publish(released);
    await eventually(async () => (await memberCountDescription()) === 'Counted from the membership documents: exact.', 10_000, 'the next good supergraph');
    expect(await reloads('applied')).toBe(appliedBefore + 1);
  });
});
