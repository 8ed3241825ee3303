import type DataLoader from 'dataloader';
import type { UserLinkRepository } from '@stagelives/platform';
import { requireSelfOrAdmin } from '@stagelives/platform/subgraph';
import {
  ConcertEventType,
  NotFoundError,
  connectionFromPage,
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  pageSize,
  parseId,
  type Connection,
  type Identity,
} from '@stagelives/schema';
import type { ConcertRepository } from '../concert/concert.repository.js';
import type { ConcertDocument } from '../concert/concert.type.js';
import type { ConcertEvents } from '../events/concert-events.js';

/**
 * Likes without transactions (FerretDB has none): the unique (concert, user) like document is
 * the truth (platform's UserLinkRepository), written first; the concert's stored `likeCount`
 * follows it, moved only when this call created or removed the document, one `$inc` per concert
 * at a time (ConcertRepository.addLikes: FerretDB applies `$inc` without isolation). A crash in
 * between is repaired from the documents by `recountLikes` (the status worker's job).
 */
export class LikeService {
  constructor(
    private readonly concerts: ConcertRepository,
    private readonly likes: UserLinkRepository,
    private readonly events: ConcertEvents,
    /** The request's concert loader: liked concerts are read with the rest of the response. */
    private readonly concertById: DataLoader<string, ConcertDocument | null>,
  ) {}

  /** Idempotent: a repeated like changes nothing and emits nothing. */
  async like(concertId: string, userId: string): Promise<ConcertDocument> {
    const id = parseId(concertId);
    const concert = await this.concerts.findById(id);
    if (!concert) throw new NotFoundError('Concert', concertId);
    if (!(await this.likes.add(id, parseId(userId, 'userId'), new Date()))) return concert;
    const after = await this.concerts.addLikes(id, 1);
    await this.events.emit([ConcertEventType.Liked, { concertId, userId }]);
    return after ?? concert;
  }

  /** Idempotent: a repeated unlike changes nothing and emits nothing. */
  async unlike(concertId: string, userId: string): Promise<ConcertDocument> {
    const id = parseId(concertId);
    const concert = await this.concerts.findById(id);
    if (!concert) throw new NotFoundError('Concert', concertId);
    if (!(await this.likes.remove(id, parseId(userId, 'userId')))) return concert;
    const after = await this.concerts.addLikes(id, -1);
    await this.events.emit([ConcertEventType.Unliked, { concertId, userId }]);
    return after ?? concert;
  }

  /**
   * The concerts a user likes, most recently liked first, paged by (like time, like id). Only
   * the user and admins may read them. A concert deleted between the two reads is left out.
   */
  async likedConcerts(
    viewer: Identity,
    userId: string,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<ConcertDocument>> {
    requireSelfOrAdmin(viewer, userId, 'Only you can see the concerts you like.');
    const limit = pageSize(first);
    const position = after ? decodeTimeIdCursor(after) : undefined;
    const user = parseId(userId);
    const [links, totalCount] = await Promise.all([
      this.likes.pageForUser(user, limit, position && { value: position.time, id: position.id }),
      this.likes.countForUser(user),
    ]);
    const page = links.slice(0, limit);
    const concerts = await this.concertById.loadMany(page.map((like) => like.parentId.toHexString()));
    const concertOf = new Map(page.map((like, i) => [like, concerts[i]]));
    const cursor = (like: (typeof links)[number]) => encodeTimeIdCursor(like.createdAt, like._id);
    return connectionFromPage(links, {
      limit,
      after,
      totalCount,
      cursor,
      edge: (like) => {
        const concert = concertOf.get(like);
        return concert && !(concert instanceof Error) ? { cursor: cursor(like), node: concert } : null;
      },
    });
  }
}
