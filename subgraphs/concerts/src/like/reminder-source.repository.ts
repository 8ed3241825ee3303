// The read-only repository of what the notifications workers read from this domain (likes and
// concert dates) to schedule, reconcile and re-check reminders; exported as
// `@stagelives/concerts/reminder-source` (src/reminder-source.ts).
import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import { estimatedCount, findByIds } from '@stagelives/platform';
import { isObjectIdHex, type ConcertStatusName } from '@stagelives/schema';
import { CONCERTS_COLLECTION } from '../concert/concert.repository.js';
import type { ConcertDocument } from '../concert/concert.type.js';

/** The likes collection (platform's UserLinkRepository(db, 'likes', 'concertId'), see server.ts). */
export const LIKES_COLLECTION = 'likes';

/** What reminders need of a concert. */
export interface ReminderConcert {
  id: string;
  title: string;
  startsAt: Date;
  ticketOpenAt: Date | null;
  /** `endsAt`, or `startsAt` plus the default duration. */
  effectiveEndsAt: Date;
  /** The stored status: only CANCELLED is final and matters here (the rest follows the dates). */
  status: ConcertStatusName;
}

/** One like: a fan of a concert. Ids as hex strings. */
export interface ReminderLike {
  concertId: string;
  userId: string;
  likedAt: Date;
}

interface LikeDocument {
  _id: ObjectId;
  concertId: ObjectId;
  userId: ObjectId;
  createdAt: Date;
}

const CONCERT_FIELDS = { _id: 1, title: 1, startsAt: 1, ticketOpenAt: 1, effectiveEndsAt: 1, status: 1 } as const;
const toConcert = (doc: Pick<ConcertDocument, keyof typeof CONCERT_FIELDS>): ReminderConcert => ({
  id: doc._id.toHexString(),
  title: doc.title,
  startsAt: doc.startsAt,
  ticketOpenAt: doc.ticketOpenAt ?? null,
  effectiveEndsAt: doc.effectiveEndsAt,
  status: doc.status,
});
const toLike = (doc: LikeDocument): ReminderLike => ({ concertId: doc.concertId.toHexString(), userId: doc.userId.toHexString(), likedAt: doc.createdAt });
const oids = (ids: Iterable<string>) => [...new Set(ids)].filter(isObjectIdHex).map((id) => new ObjectId(id));

/** Read-only queries over the concerts domain's database, for the notifications workers. */
export class ReminderSource {
  private readonly concerts: Collection<ConcertDocument>;
  private readonly likes: Collection<LikeDocument>;

  constructor(db: Db) {
    this.concerts = db.collection<ConcertDocument>(CONCERTS_COLLECTION);
    this.likes = db.collection<LikeDocument>(LIKES_COLLECTION);
  }

  /** Concerts by id (hex); missing ones (deleted, malformed ids) are absent from the map. */
  async concertsByIds(ids: Iterable<string>): Promise<Map<string, ReminderConcert>> {
    const wanted = oids(ids);
    if (wanted.length === 0) return new Map();
    const docs = await findByIds(this.concerts, wanted, { projection: CONCERT_FIELDS });
    return new Map(docs.map((doc) => [doc._id.toHexString(), toConcert(doc)]));
  }

  /**
   * Concerts that start after `now` and are not cancelled (the ones reminders can still be due
   * for), in (startsAt, _id) order, `pageSize` per page.
   */
  async *upcomingConcerts(now: Date, pageSize = 500): AsyncGenerator<ReminderConcert[]> {
    let after: { startsAt: Date; id: ObjectId } | null = null;
    for (;;) {
      const keyset: Filter<ConcertDocument> = after
        ? { $or: [{ startsAt: { $gt: after.startsAt } }, { startsAt: { $eq: after.startsAt }, _id: { $gt: after.id } }] }
        : { startsAt: { $gt: now } };
      const docs = await this.concerts
        .find({ $and: [keyset, { startsAt: { $gt: now } }, { status: { $ne: 'CANCELLED' } }] }, { projection: CONCERT_FIELDS })
        .sort({ startsAt: 1, _id: 1 })
        .limit(pageSize)
        .toArray();
      if (docs.length === 0) return;
      yield docs.map(toConcert);
      if (docs.length < pageSize) return;
      const last = docs.at(-1)!;
      after = { startsAt: last.startsAt, id: last._id };
    }
  }

  /** The likes of these concerts, streamed in batches of up to `batchSize` (one query per 500 concerts). */
  async *likesOfConcerts(concertIds: Iterable<string>, batchSize = 1000): AsyncGenerator<ReminderLike[]> {
    const ids = oids(concertIds);
    for (let i = 0; i < ids.length; i += 500) {
      const cursor = this.likes.find({ concertId: { $in: ids.slice(i, i + 500) } }, { projection: { concertId: 1, userId: 1, createdAt: 1 }, batchSize });
      let batch: ReminderLike[] = [];
      for await (const doc of cursor) {
        batch.push(toLike(doc));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    }
  }

  /** Fans (user ids) per concert, for these concerts (every given concert has an entry). */
  async fansOf(concertIds: Iterable<string>): Promise<Map<string, Set<string>>> {
    const fans = new Map<string, Set<string>>([...new Set(concertIds)].map((id) => [id, new Set<string>()]));
    for await (const likes of this.likesOfConcerts(fans.keys())) {
      for (const like of likes) fans.get(like.concertId)?.add(like.userId);
    }
    return fans;
  }

  /** How many likes there are, from the server's collection statistics (platform's estimatedCount). */
  estimatedLikes(): Promise<number> {
    return estimatedCount(this.likes);
  }

  /** A user's likes. */
  async likesOfUser(userId: string): Promise<ReminderLike[]> {
    if (!isObjectIdHex(userId)) return [];
    const docs = await this.likes.find({ userId: { $eq: new ObjectId(userId) } }, { projection: { concertId: 1, userId: 1, createdAt: 1 } }).toArray();
    return docs.map(toLike);
  }

  /** Which of these (concert, user) pairs are liked now, as `<concertId>:<userId>` keys, in one query. */
  async likedAmong(pairs: ReadonlyArray<{ concertId: string; userId: string }>): Promise<Set<string>> {
    const usersByConcert = new Map<string, Set<string>>();
    for (const { concertId, userId } of pairs) {
      if (!isObjectIdHex(concertId) || !isObjectIdHex(userId)) continue;
      const users = usersByConcert.get(concertId) ?? new Set<string>();
      users.add(userId);
      usersByConcert.set(concertId, users);
    }
    if (usersByConcert.size === 0) return new Set();
    const or = [...usersByConcert].map(([concertId, users]) => ({ concertId: { $eq: new ObjectId(concertId) }, userId: { $in: oids(users) } }));
    const docs = await this.likes.find(or.length === 1 ? or[0]! : { $or: or }, { projection: { concertId: 1, userId: 1, createdAt: 1 } }).toArray();
    return new Set(docs.map((doc) => `${doc.concertId.toHexString()}:${doc.userId.toHexString()}`));
  }
}
