import type { Collection, Db, ObjectId } from 'mongodb';
import type { ConcertEvent } from '@stagelives/schema';

/** Events Redis refused, kept in MongoDB until the status job appends them to the stream. */
export interface OutboxDocument {
  _id?: ObjectId;
  event: ConcertEvent;
  failedAt: Date;
}

export const EVENT_OUTBOX_COLLECTION = 'event_outbox';

export const eventOutbox = (db: Db): Collection<OutboxDocument> => db.collection<OutboxDocument>(EVENT_OUTBOX_COLLECTION);
