import { ensureIndexes, findByIds, isDuplicateKeyError } from '@stagelives/platform';
import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import type { ChatMessageDocument } from './chat-message.type.js';

/** Which way a page of messages runs from its cursor. */
export type MessageDirection = 'older' | 'newer';

/** The `messages` collection; the only code that talks to it. */
export class ChatMessageRepository {
  readonly collection: Collection<ChatMessageDocument>;

  /** `pointReadsUpTo`: ids `findByIds` reads one by one (platform's pointReadsFor). */
  constructor(
    db: Db,
    private readonly pointReadsUpTo = 0,
  ) {
    this.collection = db.collection<ChatMessageDocument>('messages');
  }

  /** Idempotent. The unique (roomId, seq) index is what makes sequence numbers unique. */
  ensureIndexes(): Promise<void> {
    return ensureIndexes(this.collection, [{ key: { roomId: 1, seq: 1 }, name: 'room_seq_unique', unique: true }]);
  }

  /** The room's highest stored seq, 0 when it has none (one index-backed read: sort by seq desc, limit 1). */
  async maxSeq(roomId: ObjectId): Promise<number> {
    const doc = await this.collection.findOne({ roomId: { $eq: roomId } }, { sort: { seq: -1 }, projection: { seq: 1 } });
    return doc?.seq ?? 0;
  }

  /**
   * Stores messages at consecutive seqs with one ordered insert, which stops at the first seq
   * another message already holds in the room. Returns the documents that were stored (on a
   * clash, read back by their ids: what stored them is the database, not the error's report).
   */
  async insertRun(docs: ReadonlyArray<Omit<ChatMessageDocument, '_id'>>): Promise<ChatMessageDocument[]> {
    const run = docs.map((doc) => ({ ...doc, _id: new ObjectId() }));
    try {
      await this.collection.insertMany(run, { ordered: true });
      return run;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const stored = await this.collection.find({ _id: { $in: run.map((d) => d._id) } }, { projection: { _id: 1 } }).toArray();
      const ids = new Set(stored.map((d) => d._id.toHexString()));
      return run.filter((d) => ids.has(d._id.toHexString()));
    }
  }

  findByIds(ids: readonly ObjectId[]): Promise<ChatMessageDocument[]> {
    return findByIds(this.collection, ids, {}, this.pointReadsUpTo);
  }

  /**
   * One page of a room's messages from a seq (exclusive; none: from the newest or the oldest),
   * nearest first: `older` descending, `newer` ascending; plus one extra to tell whether more follow.
   */
  page(roomId: ObjectId, direction: MessageDirection, limit: number, from: number | null): Promise<ChatMessageDocument[]> {
    const older = direction === 'older';
    const filter: Filter<ChatMessageDocument> = { roomId: { $eq: roomId } };
    if (from !== null) filter.seq = older ? { $lt: from } : { $gt: from };
    return this.collection
      .find(filter)
      .sort({ seq: older ? -1 : 1 })
      .limit(limit + 1)
      .toArray();
  }

  /** Messages with afterSeq < seq ≤ upToSeq (no upper bound when null), ascending, at most `limit`. */
  range(roomId: ObjectId, afterSeq: number, upToSeq: number | null, limit: number): Promise<ChatMessageDocument[]> {
    const seq = upToSeq === null ? { $gt: afterSeq } : { $gt: afterSeq, $lte: upToSeq };
    return this.collection
      .find({ roomId: { $eq: roomId }, seq })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * The newest message of each room, in one query: each room's messages from its hint (a stored
   * seq ≤ its newest; see ChatRoomDocument.lastSeqHint) on, the highest seq kept per room.
   */
  async newestByRooms(rooms: ReadonlyArray<{ roomId: ObjectId; fromSeq: number }>): Promise<Map<string, ChatMessageDocument>> {
    const newest = new Map<string, ChatMessageDocument>();
    if (rooms.length === 0) return newest;
    const branches = rooms.map(({ roomId, fromSeq }) => ({ roomId: { $eq: roomId }, seq: { $gte: Math.max(1, fromSeq) } }));
    const docs = await this.collection.find(branches.length === 1 ? branches[0]! : { $or: branches }).toArray();
    for (const doc of docs) {
      const key = doc.roomId.toHexString();
      if ((newest.get(key)?.seq ?? 0) < doc.seq) newest.set(key, doc);
    }
    return newest;
  }
}
