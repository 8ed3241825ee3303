import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { freePort, startRedis, type ChildService } from '@stagelives/devkit';
import { signUp, startStack, type Stack } from '../support/harness.js';
import { MESSAGE_ADDED, collect, eventually, join, rawSocket, roomWithMember, send, wsClient } from '../support/live.js';

describe('subscriptions: resilience', () => {
  it('should back-fill from storage after its Redis restarts, so subscribers miss nothing that was stored', async ({ onTestFinished }) => {
    // Cleanup registered before each start (last registered, first run): it runs even when the
    // test fails or times out, which a finally behind a hung await would not.
    const dataDir = mkdtempSync(joinPath(tmpdir(), 'sl-redis-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    let redis: ChildService | undefined;
    onTestFinished(() => redis?.stop());
    let stack: Stack | undefined;
    onTestFinished(() => stack?.close(), 20_000);
    let client: Client | undefined;
    let sending = true;
    onTestFinished(async () => {
      sending = false;
      await client?.dispose();
    });
    const port = await freePort();
    redis = await startRedis({ dataDir, port });
    stack = await startStack({ REDIS_URL: redis.url, FIELD_RATE_LIMIT_FACTOR: '1000', CHAT_RESYNC_SECONDS: '600' });
    const { roomId, owner } = await roomWithMember(stack);
    client = wsClient(stack.wsUrl, owner.token);
    const feed = collect(client, MESSAGE_ADDED, { roomId });
    const { router } = stack;
    await eventually(() => router.subscriptions.watchedRooms > 0, 5_000, 'a watched room');
    await new Promise((r) => setTimeout(r, 200));

    const stored: Array<{ seq: number; body: string }> = [];
    let n = 0;
    const target = stack;
    const sender = (async () => {
      while (sending) {
        n += 1;
        try {
          stored.push(await send(target, roomId, `msg ${n}`, owner.token));
        } catch {
          // Refused while Redis is away (sessions live there): the client knows it was not sent.
        }
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    await eventually(() => stored.length >= 10, 10_000, 'ten messages before the restart');
    await redis.stop();
    await new Promise((r) => setTimeout(r, 300));
    redis = await startRedis({ dataDir, port });
    const before = stored.length;
    await eventually(() => stored.length >= before + 15, 20_000, 'messages after the restart');
    sending = false;
    await sender;

    const expected = [...stored].sort((a, b) => a.seq - b.seq).map((m) => m.body);
    const results = await feed.waitFor(expected.length, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(feed.results.map((r) => r.data?.messageAdded.body)).toEqual(expected);
    expect(results.map((r) => r.data?.messageAdded.seq)).toEqual([...stored].map((m) => m.seq).sort((a, b) => a - b));
  }, 90_000);

  it('should back-fill messages whose events were published while its pub/sub connection was down', async () => {
    const stack = await startStack({ FIELD_RATE_LIMIT_FACTOR: '1000', CHAT_RESYNC_SECONDS: '600' });
    try {
      const { roomId, owner } = await roomWithMember(stack);
      const client = wsClient(stack.wsUrl, owner.token);
      const feed = collect(client, MESSAGE_ADDED, { roomId });
      const channel = `${stack.prefix}:chat:room:${roomId}`;
      const listeners = async () => Number(((await stack.redis.pubsub('NUMSUB', channel)) as [string, number])[1]);
      await eventually(async () => (await listeners()) === 1, 5_000, 'the router to listen to the room');
      const first = await send(stack, roomId, 'before the drop', owner.token);
      await feed.waitFor(1);
      // Drop the router's pub/sub connection and send while nobody listens: those events are lost.
      // An attempt whose listener came back before the check is retried; its message still
      // arrives (live, or from the back-fill), so every message sent is expected, in order.
      const lost: string[] = [];
      const sentBodies: string[] = [];
      for (let attempt = 0; attempt < 5 && lost.length === 0; attempt += 1) {
        // Only this stack's router connection: other test files share the Redis server.
        const clients = String(await stack.redis.client('LIST')).split('\n');
        const mine = clients.filter((line) => line.includes(` name=${stack.prefix}:chat-hub `)).map((line) => /\bid=(\d+)/.exec(line)?.[1]);
        expect(mine.length).toBe(1);
        await stack.redis.client('KILL', 'ID', mine[0]!);
        await eventually(async () => (await listeners()) === 0, 5_000, 'the pub/sub connection to drop');
        const sent = await send(stack, roomId, `while nobody listens ${attempt}`, owner.token);
        sentBodies.push(sent.body);
        if ((await listeners()) === 0) lost.push(sent.body);
        await eventually(async () => (await listeners()) === 1, 10_000, 'the router to listen again');
      }
      expect(lost.length).toBeGreaterThan(0);
      // No later event comes and the periodic re-read is 10 minutes away: only the back-fill on reconnection delivers them.
      const results = await feed.waitFor(1 + sentBodies.length, 10_000);
      expect(results.map((r) => r.data?.messageAdded.body)).toEqual([first.body, ...sentBodies]);
      await client.dispose();
    } finally {
      await stack.close();
    }
  });

  it('should close a slow consumer with 1013 instead of buffering without bound', async () => {
    const stack = await startStack({ WS_MAX_BUFFERED_BYTES: '65536', FIELD_RATE_LIMIT_FACTOR: '1000' });
    try {
      const { roomId, owner } = await roomWithMember(stack);
      const socket = rawSocket(stack.wsUrl);
      await socket.opened;
      socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${owner.token}` } });
      await socket.waitMessage((m) => m.type === 'connection_ack');
      for (let i = 0; i < 20; i += 1) socket.send({ id: `s${i}`, type: 'subscribe', payload: { query: MESSAGE_ADDED, variables: { roomId } } });
      await eventually(() => stack.router.subscriptions.watchedRooms > 0, 5_000, 'a watched room');
      await new Promise((r) => setTimeout(r, 300));
      // Stop reading: the server's queue for this socket can only grow.
      (socket.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      const big = 'x'.repeat(1_900);
      for (let i = 0; i < 120; i += 1) await send(stack, roomId, `${i} ${big}`, owner.token);
      await eventually(() => stack.router.subscriptions.connections === 0, 15_000, 'the slow socket to be closed');
      (socket.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      const { code } = await socket.closed;
      expect([1013, 1006]).toContain(code);
      // It was cut off well before everything was delivered.
      expect(socket.messages.filter((m) => m.type === 'next').length).toBeLessThan(120 * 20);
    } finally {
      await stack.close();
    }
  }, 60_000);

  it('should limit new connections per IP', async () => {
    const stack = await startStack({ WS_CONNECTIONS_PER_MINUTE: '3' });
    try {
      const fan = await signUp(stack);
      const sockets = [];
      for (let i = 0; i < 3; i += 1) {
        const s = rawSocket(stack.wsUrl);
        await s.opened;
        sockets.push(s);
      }
      const refused = rawSocket(stack.wsUrl);
      await expect(refused.opened).rejects.toMatchObject({ status: 429 });
      for (const s of sockets) s.ws.close();
      expect(fan.token).toBeTruthy();
    } finally {
      await stack.close();
    }
  });

  it("should refuse sockets past the router's ceiling with 503 and take them again once one closes", async () => {
    const stack = await startStack({ WS_MAX_CONNECTIONS: '2' });
    try {
      const sockets = [rawSocket(stack.wsUrl), rawSocket(stack.wsUrl)];
      await Promise.all(sockets.map((s) => s.opened));
      const refused = rawSocket(stack.wsUrl);
      await expect(refused.opened).rejects.toMatchObject({ status: 503 });
      sockets[0]!.ws.close();
      await sockets[0]!.closed;
      await eventually(
        async () => {
          const again = rawSocket(stack.wsUrl);
          try {
            await again.opened;
            again.ws.close();
            return true;
          } catch {
            return false;
          }
        },
        5_000,
        'a socket accepted again',
      );
      sockets[1]!.ws.close();
    } finally {
      await stack.close();
    }
  });

  it('should let members of many rooms subscribe on one connection and hear only their rooms', async () => {
    const stack = await startStack({ FIELD_RATE_LIMIT_FACTOR: '1000' });
    try {
      const a = await roomWithMember(stack, 'room a');
      const b = await roomWithMember(stack, 'room b');
      await join(stack, b.roomId, a.owner.token);
      const client = wsClient(stack.wsUrl, a.owner.token);
      const feedA = collect(client, MESSAGE_ADDED, { roomId: a.roomId });
      const feedB = collect(client, MESSAGE_ADDED, { roomId: b.roomId });
      await eventually(() => stack.router.subscriptions.watchedRooms === 2, 5_000, 'two watched rooms');
      await new Promise((r) => setTimeout(r, 200));
      await send(stack, a.roomId, 'to a', a.owner.token);
      await send(stack, b.roomId, 'to b', b.owner.token);
      expect((await feedA.waitFor(1)).map((r) => r.data?.messageAdded.body)).toEqual(['to a']);
      expect((await feedB.waitFor(1)).map((r) => r.data?.messageAdded.body)).toEqual(['to b']);
      await client.dispose();
      await eventually(() => stack.router.subscriptions.watchedRooms === 0, 5_000, 'rooms to be released');
    } finally {
      await stack.close();
    }
  });
});
