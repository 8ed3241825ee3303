import { ObjectId } from 'mongodb';
import { ConcertEventType, NotFoundError, connectionFromPage, decodeIdCursor, encodeIdCursor, pageSize, parseId, type Connection } from '@stagelives/schema';
import type { ConcertRepository } from '../concert/concert.repository.js';
import type { ConcertDocument } from '../concert/concert.type.js';
import type { ConcertEvents } from '../events/concert-events.js';
import type { LikeRepository } from './like.repository.js';

/**
 * Likes without transactions (FerretDB has none): the unique (concert, user) like document is
 * the only truth, and counts are read from it (see LikeRepository.countByConcerts). A stored
 * counter moved with `$inc` lost updates under concurrent likes on FerretDB, which applies
 * `$inc` as read-modify-write without isolation; a unique index insert does not.
 */
export class LikeService {
  constructor(
    private readonly concerts: ConcertRepository,
    private readonly likes: LikeRepository,
    private readonly events: ConcertEvents,
  ) {}

  /** Idempotent: a repeated like changes nothing and emits nothing. */
  async like(concertId: string, userId: string): Promise<ConcertDocument> {
    const id = parseId(concertId);
    const concert = await this.concerts.findById(id);
    if (!concert) throw new NotFoundError('Concert', concertId);
    if (await this.likes.add(id, new ObjectId(userId), new Date())) await this.events.emit([ConcertEventType.Liked, { concertId, userId }]);
    return concert;
  }

  /** Idempotent: a repeated unlike changes nothing and emits nothing. */
  async unlike(concertId: string, userId: string): Promise<ConcertDocument> {
    const id = parseId(concertId);
    const concert = await this.concerts.findById(id);
    if (!concert) throw new NotFoundError('Concert', concertId);
    if (await this.likes.remove(id, new ObjectId(userId))) await this.events.emit([ConcertEventType.Unliked, { concertId, userId }]);
    return concert;
  }

  /** A user's liked concert ids, most recently liked first (concerts are loaded by the caller, batched). */
  async likedConcertIds(userId: string, first: number | null | undefined, after: string | null | undefined): Promise<Connection<string>> {
    const limit = pageSize(first);
    const before = after ? decodeIdCursor(after) : undefined;
    const user = new ObjectId(userId);
    const [docs, totalCount] = await Promise.all([this.likes.pageByUser(user, limit, before), this.likes.countByUser(user)]);
    return connectionFromPage(docs, {
      limit,
      after,
      totalCount,
      edge: (like) => ({ cursor: encodeIdCursor(like._id), node: like.concertId.toHexString() }),
    });
  }
}
