import type { Collection, Db, Document, Filter, ObjectId } from 'mongodb';
import { recountLikes, type RecountResult } from '../like/like-count.repository.js';
import { LIKES_COLLECTION } from '../like/reminder-source.repository.js';
import type { ConcertStatusName } from '@stagelives/schema';
import { CONCERTS_COLLECTION } from './concert.repository.js';
import type { StatusFields } from './concert-status.js';

/** What the status job reads and writes of a concert. */
interface StatusRunFields extends StatusFields {
  _id: ObjectId;
  /** The id of the last status run that changed the concert. */
  statusRun?: string;
  statusChangedAt?: Date;
  /** Set by the concerts domain on every admin write; never by the status job. */
  updatedAt?: Date;
}

/**
 * The writes of the scheduled status job (workers/src/concert-status) on this domain's
 * collections: status transitions the dates imply, and the like-count repair.
 */
export class ConcertStatusRepository {
  private readonly concerts: Collection<StatusRunFields>;

  constructor(private readonly db: Db) {
    this.concerts = db.collection<StatusRunFields>(CONCERTS_COLLECTION);
  }

  /**
   * Sets `to` on every concert `where` matches, tagged with the run's id, and returns the ones
   * this run changed (id and `updatedAt`), read back by that tag.
   */
  async transition(where: Filter<StatusFields>, to: ConcertStatusName, run: string, now: Date): Promise<Array<Pick<StatusRunFields, '_id' | 'updatedAt'>>> {
    const { modifiedCount } = await this.concerts.updateMany(where as Filter<StatusRunFields>, { $set: { status: to, statusRun: run, statusChangedAt: now } });
    if (modifiedCount === 0) return [];
    return this.concerts.find({ statusRun: { $eq: run } }, { projection: { _id: 1, updatedAt: 1 } }).toArray();
  }

  /** Repairs stored like counts from the like documents. */
  recountLikes(): Promise<RecountResult> {
    return recountLikes(this.db.collection(CONCERTS_COLLECTION), this.db.collection<Document>(LIKES_COLLECTION));
  }
}
