import { ObjectId } from 'mongodb';
import { BadUserInputError, ConcertEventType, NotFoundError, decodeCursor, encodeCursor, pageSize, parseId, type Connection } from '@stagelives/schema';
import type { ConcertRepository } from '../concert/concert.repository.js';
import type { ConcertDocument } from '../concert/concert.type.js';
import type { ConcertEvents } from '../events/concert-events.js';
import type { LikeRepository } from './like.repository.js';

/**
 * Likes without transactions (FerretDB has none): the unique (concert, user) like document is
 * the truth, and the concert's counter moves with `$inc` only when an insert or delete really
 * happened, so concurrent and repeated requests keep it exact.
 */
export class LikeService {
  constructor(
    private readonly concerts: ConcertRepository,
    private readonly likes: LikeRepository,
    private readonly events: ConcertEvents,
  ) {}

  /** Idempotent; returns the concert with its current like count. */
  async like(concertId: string, userId: string): Promise<ConcertDocument> {
    const id = parseId(concertId);
    const concert = await this.concerts.findById(id);
    if (!concert) throw new NotFoundError('Concert', concertId);
    if (!(await this.likes.add(id, new ObjectId(userId), new Date()))) return concert;
    const updated = await this.concerts.incrementLikes(id, 1);
    await this.events.emit([ConcertEventType.Liked, { concertId, userId }]);
    return updated ?? concert;
  }

  /** Idempotent; returns the concert with its current like count. */
  async unlike(concertId: string, userId: string): Promise<ConcertDocument> {
    const id = parseId(concertId);
    const concert = await this.concerts.findById(id);
    if (!concert) throw new NotFoundError('Concert', concertId);
    if (!(await this.likes.remove(id, new ObjectId(userId)))) return concert;
    const updated = await this.concerts.incrementLikes(id, -1);
    await this.events.emit([ConcertEventType.Unliked, { concertId, userId }]);
    return updated ?? concert;
  }

  /** A user's liked concert ids, most recently liked first (concerts are loaded by the caller, batched). */
  async likedConcertIds(userId: string, first: number | null | undefined, after: string | null | undefined): Promise<Connection<string>> {
    const limit = pageSize(first);
    let before: ObjectId | undefined;
    if (after) {
      const [likeId] = decodeCursor(after, 1);
      if (typeof likeId !== 'string' || !/^[0-9a-f]{24}$/.test(likeId)) throw new BadUserInputError('after is not a valid cursor.', 'after');
      before = new ObjectId(likeId);
    }
    const user = new ObjectId(userId);
    const [docs, totalCount] = await Promise.all([this.likes.pageByUser(user, limit, before), this.likes.countByUser(user)]);
    const edges = docs.slice(0, limit).map((like) => ({ cursor: encodeCursor([like._id.toHexString()]), node: like.concertId.toHexString() }));
    return {
      edges,
      totalCount,
      pageInfo: {
        hasNextPage: docs.length > limit,
        hasPreviousPage: Boolean(after),
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }
}
