import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { duplicateRedis } from './redis.js';

type Entry = [id: string, fields: string[]];
type StreamReply = Array<[string, Entry[]]> | null;

export interface StreamConsumerOptions {
  redis: Redis;
  /** The stream key (with its prefix). */
  stream: string;
  /** The consumer group: each entry goes to one member of the group, whichever process that is. */
  group: string;
  logger: Logger;
  /**
   * Handles one entry; the entry is acknowledged only after it resolves. Delivery is
   * at-least-once (a crash before the acknowledgement re-delivers), so handlers are idempotent.
   * A handler that throws leaves its entry pending; it is claimed again after `claimIdleMs`.
   */
  handle(entryId: string, fields: string[]): Promise<void>;
  /** How long one XREADGROUP waits for entries. Default 1000 ms. */
  blockMs?: number;
  /** Pending entries idle this long (their consumer crashed) are claimed. Default 60 s. */
  claimIdleMs?: number;
  /** Entries read per call. Default 100. */
  batch?: number;
}

/**
 * Reads a Redis stream in a consumer group until stopped: creates the group when missing,
 * claims entries other consumers left pending, then blocks for new ones. Survives Redis
 * restarts (it retries every second). `stop()` ends the loop and its connection, also while
 * Redis is away (it then waits only for a handler already running).
 */
export function startStreamConsumer({ redis, stream, group, logger, handle, blockMs = 1_000, claimIdleMs = 60_000, batch = 100 }: StreamConsumerOptions): {
  stop(): Promise<void>;
} {
  const consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  // Blocking reads need their own connection, one that waits for Redis instead of failing fast.
  const conn = duplicateRedis(redis, { enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false });
  conn.on('error', () => undefined);
  let stopped = false;
  // disconnect() on a connection waiting to reconnect settles nothing it holds (ioredis only
  // clears the reconnection): every wait of the loop also ends when stop() is called.
  let onStop!: (reason: Error) => void;
  const stopping = new Promise<never>((_, reject) => (onStop = reject));
  stopping.catch(() => undefined);
  const untilStopped = <T>(wait: Promise<T>): Promise<T> => Promise.race([wait, stopping]);

  async function handleAll(entries: Entry[]): Promise<void> {
    for (const [entryId, fields] of entries) {
      if (stopped) return;
      await handle(entryId, fields);
      await untilStopped(conn.xack(stream, group, entryId));
    }
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        await untilStopped(
          conn.xgroup('CREATE', stream, group, '0', 'MKSTREAM').catch((error: Error) => {
            if (!error.message.includes('BUSYGROUP')) throw error;
          }),
        );
        // Entries another consumer took and never acknowledged (it crashed).
        const claimed = (await untilStopped(conn.xautoclaim(stream, group, consumer, claimIdleMs, '0-0', 'COUNT', batch))) as [string, Entry[]];
        if (claimed[1]?.length) await handleAll(claimed[1].filter((entry) => Array.isArray(entry[1])));
        while (!stopped) {
          const reply = (await untilStopped(
            conn.xreadgroup('GROUP', group, consumer, 'COUNT', batch, 'BLOCK', blockMs, 'STREAMS', stream, '>'),
          )) as StreamReply;
          for (const [, entries] of reply ?? []) await handleAll(entries);
        }
      } catch (error) {
        if (stopped) break;
        logger.warn({ err: error instanceof Error ? error.message : String(error), stream, group }, 'stream consumer failed; retrying');
        await untilStopped(new Promise((r) => setTimeout(r, 1_000))).catch(() => undefined);
      }
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      onStop(new Error('stream consumer stopped'));
      conn.disconnect();
      await loop;
    },
  };
}
