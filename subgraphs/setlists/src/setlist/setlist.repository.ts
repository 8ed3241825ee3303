import type { Collection, Db, ObjectId } from 'mongodb';
import { ensureIndexes, isDuplicateKeyError, oneOf, perValue } from '@stagelives/platform';
import type { PlaylistDocument, SetlistDocument, SongDocument } from './setlist.type.js';

/** The `setlists` collection. Every read is a top-level equality on `concertId` (its unique index). */
export class SetlistRepository {
  readonly collection: Collection<SetlistDocument>;

  /** `equalityReadsUpTo`: batches of up to this many concerts read one equality per concert (platform's equalityReadsFor). */
  constructor(
    db: Db,
    private readonly equalityReadsUpTo = 0,
  ) {
    this.collection = db.collection<SetlistDocument>('setlists');
  }

  /** Idempotent (one index per command, as FerretDB needs). */
  ensureIndexes(): Promise<void> {
    return ensureIndexes(this.collection, [{ key: { concertId: 1 }, name: 'concertId_unique', unique: true }]);
  }

  /**
   * Single-document upsert on the unique concertId: concurrent upserts leave one setlist. Two
   * upserts racing to insert make one fail on the unique index; it retries once as an update.
   */
  async upsert(concertId: ObjectId, songs: SongDocument[], playlists: PlaylistDocument[], now: Date): Promise<SetlistDocument> {
    const attempt = () =>
      this.collection.findOneAndUpdate(
        { concertId: { $eq: concertId } },
        { $set: { songs, playlists, updatedAt: now }, $setOnInsert: { concertId, createdAt: now } },
        { upsert: true, returnDocument: 'after' },
      );
    let doc: Awaited<ReturnType<typeof attempt>>;
    try {
      doc = await attempt();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      doc = await attempt();
    }
    if (!doc) throw new Error('upsert returned no document');
    return doc;
  }

  /** The setlists of these concerts (at most one each), in one query, or one per concert where `$in` would scan (`equalityReadsUpTo`). */
  findByConcertIds(concertIds: readonly ObjectId[]): Promise<SetlistDocument[]> {
    return perValue(concertIds, this.equalityReadsUpTo, (ids) => this.collection.find({ concertId: oneOf(ids) }).toArray());
  }

  /** True when the concert had a setlist and it was deleted. */
  async deleteByConcert(concertId: ObjectId): Promise<boolean> {
    const { deletedCount } = await this.collection.deleteOne({ concertId: { $eq: concertId } });
    return deletedCount === 1;
  }
}
