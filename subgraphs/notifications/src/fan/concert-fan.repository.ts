import { ensureIndexes } from '@stagelives/platform';
import type { Collection, Db } from 'mongodb';
import { REMINDER_RETENTION_MS } from '../reminder/reminder.rules.js';
import { insertNew } from '../store/mongo-bulk.js';

export const CONCERT_FANS_COLLECTION = 'concert_fans';

/**
 * Who likes a concert, as this domain last learned it (like events and reconciliation), keyed
 * `<concertId>:<userId>`. The concerts domain deletes a concert's likes before it announces the
 * deletion, so the "cancelled" notices of a deleted concert go to the fans recorded here.
 */
export interface ConcertFanDocument {
  _id: string;
  concertId: string;
  userId: string;
  /** The concert's title when recorded (the notice of a deleted concert names it). */
  title: string;
  since: Date;
  expireAt: Date;
}

export const concertFanKey = (concertId: string, userId: string) => `${concertId}:${userId}`;

export class ConcertFanRepository {
  readonly fans: Collection<ConcertFanDocument>;

  constructor(db: Db) {
    this.fans = db.collection<ConcertFanDocument>(CONCERT_FANS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.fans, [
      { key: { concertId: 1 }, name: 'concertId' },
      { key: { userId: 1 }, name: 'userId' },
      { key: { expireAt: 1 }, name: 'expireAt' },
    ]);
  }

  /** Records fans not recorded yet. `eventAt`: the concert's start (kept until well after). */
  async add(fans: ReadonlyArray<{ concertId: string; userId: string; title: string; eventAt: Date }>, now = new Date()): Promise<number> {
    const inserted = await insertNew(
      this.fans,
      fans.map((f) => ({
        _id: concertFanKey(f.concertId, f.userId),
        concertId: f.concertId,
        userId: f.userId,
        title: f.title,
        since: now,
        expireAt: new Date(Math.max(f.eventAt.getTime(), now.getTime()) + REMINDER_RETENTION_MS),
      })),
    );
    return inserted.size;
  }

  /** Forgets fans (unliked). */
  async remove(keys: ReadonlyArray<{ concertId: string; userId: string }>): Promise<number> {
    if (keys.length === 0) return 0;
    const { deletedCount } = await this.fans.deleteMany({ _id: { $in: keys.map((k) => concertFanKey(k.concertId, k.userId)) } });
    return deletedCount;
  }

  fansOf(concertId: string): Promise<ConcertFanDocument[]> {
    return this.fans.find({ concertId: { $eq: concertId } }).toArray();
  }

  /** Recorded fans of these concerts. */
  async fansOfConcerts(concertIds: readonly string[]): Promise<ConcertFanDocument[]> {
    if (concertIds.length === 0) return [];
    return this.fans.find({ concertId: { $in: [...concertIds] } }).toArray();
  }

  async deleteByUser(userId: string): Promise<number> {
    return (await this.fans.deleteMany({ userId: { $eq: userId } })).deletedCount;
  }

  async pruneExpired(now = new Date()): Promise<number> {
    return (await this.fans.deleteMany({ expireAt: { $lt: now } })).deletedCount;
  }
}
