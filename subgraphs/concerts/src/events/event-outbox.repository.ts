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

/** Keeps events Redis refused. */
export async function keepInOutbox(db: Db, events: readonly ConcertEvent[], now = new Date()): Promise<void> {
  await eventOutbox(db).insertMany(events.map((event) => ({ event, failedAt: now })));
}

/** The oldest kept events, at most `limit`. */
export function oldestInOutbox(db: Db, limit: number): Promise<OutboxDocument[]> {
  return eventOutbox(db).find().sort({ _id: 1 }).limit(limit).toArray();
}

/** Deletes kept events once they are on the stream. */
export async function removeFromOutbox(db: Db, docs: readonly OutboxDocument[]): Promise<void> {
  await eventOutbox(db).deleteMany({ _id: { $in: docs.map((d) => d._id!) } });
}
