/**
 * The rehearsal's subscribers: SUBSCRIBERS_PER_ROOM graphql-ws clients on every room, through
 * the clients' proxy, that reconnect and resume with `after` (the last cursor they saw) whenever
 * their socket closes or the server ends the subscription, and record every `seq` delivered.
 * (test/support/live.ts has a `wsClient`, but that module starts the whole stack in-process.)
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { FANS, ROOMS, SUBSCRIBERS_PER_ROOM } from './config.js';
import type { World } from './load.js';

const SUBSCRIPTION = 'subscription($roomId: ID!, $after: String) { messageAdded(roomId: $roomId, after: $after) { id seq cursor } }';

export interface Subscriber {
  name: string;
  roomIndex: number;
  token: string;
  /** Every `seq` delivered, in arrival order. */
  seqs: number[];
  cursor: string;
  resumes: number;
  /** Why it had to resubscribe, counted. */
  closes: Record<string, number>;
  client?: Client;
  stopped: boolean;
}

/** Subscribes every subscriber (from the first message of its room on); they keep resubscribing until `stopSubscribers`. */
export function startSubscribers(wsUrl: string, world: World): Subscriber[] {
  const subscribers: Subscriber[] = [];
  for (let r = 0; r < ROOMS; r += 1) {
    for (let s = 0; s < SUBSCRIBERS_PER_ROOM; s += 1) {
      const fan = world.fans[(r * SUBSCRIBERS_PER_ROOM + s) % FANS]!;
      subscribers.push({
        name: `room${r}/sub${s}`,
        roomIndex: r,
        token: fan.token,
        seqs: [],
        cursor: world.hello[r]!.cursor,
        resumes: 0,
        closes: {},
        stopped: false,
      });
    }
  }
  for (const sub of subscribers) subscribeOnce(wsUrl, world.rooms, sub);
  return subscribers;
}

export async function stopSubscribers(subscribers: Subscriber[]): Promise<void> {
  for (const s of subscribers) {
    s.stopped = true;
    await s.client?.dispose();
  }
}

function subscribeOnce(wsUrl: string, rooms: string[], sub: Subscriber): void {
  let closeCode: string | undefined;
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${sub.token}` },
    on: { closed: (event) => void (closeCode = String((event as { code?: number })?.code ?? 'closed')) },
  });
  sub.client = client;
  const again = (why: string) => {
    if (sub.stopped) return;
    sub.closes[why] = (sub.closes[why] ?? 0) + 1;
    void client.dispose();
    sub.resumes += 1;
    setTimeout(() => subscribeOnce(wsUrl, rooms, sub), 250);
  };
  client.subscribe<{ messageAdded: { seq: number; cursor: string } }>(
    { query: SUBSCRIPTION, variables: { roomId: rooms[sub.roomIndex], after: sub.cursor } },
    {
      next: ({ data, errors: errs }) => {
        if (errs?.length)
          return void (sub.closes[`next error ${errs[0]!.extensions?.code ?? errs[0]!.message}`] =
            (sub.closes[`next error ${errs[0]!.extensions?.code ?? errs[0]!.message}`] ?? 0) + 1);
        if (!data) return;
        sub.seqs.push(data.messageAdded.seq);
        sub.cursor = data.messageAdded.cursor;
      },
      error: (error) => {
        const why = Array.isArray(error)
          ? `subscribe refused: ${(error[0] as { extensions?: { code?: string } })?.extensions?.code ?? 'error'}`
          : `socket closed ${closeCode ?? (error as { code?: number })?.code ?? 'error'}`;
        again(why);
      },
      complete: () => again('completed by the server'),
    },
  );
}
