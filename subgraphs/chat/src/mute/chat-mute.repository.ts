import { ensureIndexes, isDuplicateKeyError } from '@stagelives/platform';
import type { Collection, Db, ObjectId } from 'mongodb';

/**
 * A member's mute in a room, kept apart from the membership: leaving and joining again does not
 * end it. It ends by itself at `until` (an expired mute is simply no longer active).
 */
export interface ChatMuteDocument {
  _id: ObjectId;
  roomId: ObjectId;
  userId: ObjectId;
  until: Date;
  /** Who muted, and when. */
  actorId: ObjectId;
  createdAt: Date;
}

/** The `mutes` collection; the only code that talks to it. One document per (room, user). */
export class ChatMuteRepository {
  readonly collection: Collection<ChatMuteDocument>;

  constructor(db: Db) {
    this.collection = db.collection<ChatMuteDocument>('mutes');
  }

  ensureIndexes(): Promise<void> {
    return ensureIndexes(this.collection, [{ key: { roomId: 1, userId: 1 }, name: 'room_user_unique', unique: true }]);
  }

  /** Sets the member's mute (replacing an earlier one). Idempotent: the same arguments leave the same document. */
  async set(mute: Omit<ChatMuteDocument, '_id'>): Promise<void> {
    const { roomId, userId, ...rest } = mute;
    const write = () => this.collection.updateOne({ roomId: { $eq: roomId }, userId: { $eq: userId } }, { $set: rest }, { upsert: true });
    try {
      await write();
    } catch (error) {
      // Two upserts raced and the other inserted first: this one is now an update.
      if (!isDuplicateKeyError(error)) throw error;
      await write();
    }
  }

  /** The member's mute in the room if it has not ended at `now`. */
  findActive(roomId: ObjectId, userId: ObjectId, now: Date): Promise<ChatMuteDocument | null> {
    return this.collection.findOne({ roomId: { $eq: roomId }, userId: { $eq: userId }, until: { $gt: now } });
  }
}
