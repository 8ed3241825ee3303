import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import type { Logger, Redis } from '@stagelives/platform';
import { ConcertEventType, concertEventsStream, decodeConcertEvent } from '@stagelives/schema';
import type { SetlistRepository } from '../setlist/setlist.repository.js';

/** Consumer group of the setlists domain on the concerts event stream. */
export const SETLISTS_CONSUMER_GROUP = 'setlists';

type StreamReply = Array<[string, Array<[string, string[]]>]> | null;

/**
 * Removes the setlist of a deleted concert: reads `concert.deleted` from the concerts event
 * stream in the `setlists` consumer group (each entry to one instance; unacknowledged entries
 * of a crashed instance are claimed by the others after a minute). Deleting is idempotent, so
 * an entry handled twice is harmless.
 */
export function startConcertDeletedConsumer({
  redis,
  redisPrefix,
  setlists,
  logger,
  blockMs = 1_000,
}: {
  redis: Redis;
  redisPrefix: string;
  setlists: SetlistRepository;
  logger: Logger;
  /** How long one XREADGROUP waits for entries. Default 1000 ms. */
  blockMs?: number;
}): { stop(): Promise<void> } {
  const stream = concertEventsStream(redisPrefix);
  const consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  // Blocking reads need their own connection, one that waits for Redis instead of failing fast.
  const conn = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false });
  conn.on('error', () => undefined);
  let stopped = false;

  async function handle(entries: Array<[string, string[]]>): Promise<void> {
    for (const [entryId, fields] of entries) {
      const event = decodeConcertEvent(fields);
      if (event?.type === ConcertEventType.Deleted && ObjectId.isValid(event.payload.concertId)) {
        const removed = await setlists.deleteByConcert(new ObjectId(event.payload.concertId));
        if (removed) logger.info({ concertId: event.payload.concertId }, 'removed the setlist of a deleted concert');
      }
      await conn.xack(stream, SETLISTS_CONSUMER_GROUP, entryId);
    }
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        await conn.xgroup('CREATE', stream, SETLISTS_CONSUMER_GROUP, '0', 'MKSTREAM').catch((error: Error) => {
          if (!error.message.includes('BUSYGROUP')) throw error;
        });
        // Entries another instance took and never acknowledged (it crashed).
        const claimed = (await conn.xautoclaim(stream, SETLISTS_CONSUMER_GROUP, consumer, 60_000, '0-0', 'COUNT', 100)) as [string, Array<[string, string[]]>];
        if (claimed[1]?.length) await handle(claimed[1].filter((entry) => Array.isArray(entry[1])));
        while (!stopped) {
          const reply = (await conn.xreadgroup('GROUP', SETLISTS_CONSUMER_GROUP, consumer, 'COUNT', 100, 'BLOCK', blockMs, 'STREAMS', stream, '>')) as StreamReply;
          for (const [, entries] of reply ?? []) await handle(entries);
        }
      } catch (error) {
        if (stopped) break;
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'concert event consumer failed; retrying');
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      conn.disconnect();
      await loop;
    },
  };
}
