import type { Redis } from '@stagelives/platform';
import { ConcertEventType, concertEventsStream, decodeConcertEvent } from '@stagelives/schema';

/** The (concert, user) pairs liked or unliked after a position of the concert events stream. */
interface LikeChangesSince {
  /** The stream position these changes reach (pass it to the next call). */
  position: string;
  /** `<concertId>:<userId>` of every like or unlike. */
  pairs: string[];
}

/**
 * What the fire-time check's like snapshot needs to stay exact without being read again: the
 * likes and unlikes since it was read, from the concert domain's event stream (read, never
 * consumed: no consumer group, so the notifications consumers still get every event).
 */
export interface LikeChanges {
  /** The stream's current position (its last generated id). Taken *before* a snapshot is read. */
  position(): Promise<string>;
  /**
   * The changes after `from`, or null when some of them may be gone: the stream was trimmed (or
   * entries deleted) past `from`, so the snapshot must be read again.
   */
  since(from: string): Promise<LikeChangesSince | null>;
}

const PAGE = 5_000;

/** XINFO STREAM's flat reply as a map. */
function infoMap(reply: unknown): Map<string, unknown> {
  const flat = Array.isArray(reply) ? reply : [];
  const info = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]);
  return info;
}

const isMissing = (error: unknown) => error instanceof Error && /no such key/i.test(error.message);

/**
 * A position: the last entry id seen and how many entries the stream had received up to it
 * (Redis 7's `entries-added`), written `<id> <added>`.
 */
const positionOf = (id: string, added: number) => `${id} ${added}`;
function parsePosition(position: string): { id: string; added: number } {
  const [id = '0-0', added = '0'] = position.split(' ');
  return { id, added: Number(added) };
}

/**
 * LikeChanges over `<prefix>events:concerts`. A gap is detected exactly by counting: the stream
 * says how many entries it ever received (`entries-added`, Redis 7), so the entries read after a
 * position must number exactly what was added since; fewer means some were trimmed or deleted
 * first. Each page is read together with that count (MULTI), so entries added meanwhile cannot
 * be mistaken for missing ones. On a server without `entries-added` there is no feed
 * (`position` throws) and the snapshot lives only `ttlMs`, as without one.
 */
export function streamLikeChanges(redis: Redis, redisPrefix: string): LikeChanges {
  const key = concertEventsStream(redisPrefix);
  return {
    async position() {
      let info: Map<string, unknown>;
      try {
        info = infoMap(await redis.xinfo('STREAM', key));
      } catch (error) {
        if (isMissing(error)) return positionOf('0-0', 0);
        throw error;
      }
      const added = Number(info.get('entries-added'));
      if (!Number.isFinite(added)) throw new Error('this Redis does not count stream entries (entries-added, Redis 7); no like change feed');
      return positionOf(String(info.get('last-generated-id')), added);
    },
    async since(from) {
      const start = parsePosition(from);
      let id = start.id;
      let read = 0;
      const pairs: string[] = [];
      for (;;) {
        const replies = await redis.multi().xread('COUNT', PAGE, 'STREAMS', key, id).xinfo('STREAM', key).exec();
        const [readError, readReply] = replies?.[0] ?? [new Error('no reply'), null];
        const [infoError, infoReply] = replies?.[1] ?? [new Error('no reply'), null];
        if (readError) throw readError;
        if (infoError) {
          if (isMissing(infoError)) return start.added === 0 ? { position: from, pairs } : null; // the stream went away
          throw infoError;
        }
        const entries = (readReply as Array<[string, Array<[string, string[]]>]> | null)?.[0]?.[1] ?? [];
        for (const [entryId, fields] of entries) {
          id = entryId;
          read += 1;
          const event = decodeConcertEvent(fields);
          if (event?.type === ConcertEventType.Liked || event?.type === ConcertEventType.Unliked)
            pairs.push(`${event.payload.concertId}:${event.payload.userId}`);
        }
        if (entries.length === PAGE) continue;
        // Everything after `from` that still exists is read: was anything added that is not here?
        const added = Number(infoMap(infoReply).get('entries-added'));
        if (!Number.isFinite(added) || added - start.added !== read) return null;
        return { position: positionOf(id, added), pairs };
      }
    },
  };
}
