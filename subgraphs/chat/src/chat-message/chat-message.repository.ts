import { ensureIndexes, findByIds, isDuplicateKeyError } from '@stagelives/platform';
import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import type { ChatMessageDocument } from './chat-message.type.js';

/** Which way a page of messages runs from its cursor. */
export type MessageDirection = 'older' | 'newer';

/**
 * Who reads: messages staff hid are left out, except the viewer's own (`viewerId`; null: every
 * hidden message is left out).
 */
function visibleFilter(viewerId: ObjectId | null): Filter<ChatMessageDocument> {
  const shown: Filter<ChatMessageDocument> = { hiddenAt: { $exists: false } };
  return viewerId ? { $or: [shown, { authorId: { $eq: viewerId } }] } : shown;
}

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
  page(roomId: ObjectId, direction: MessageDirection, limit: number, from: number | null, viewerId: ObjectId | null): Promise<ChatMessageDocument[]> {
    const older = direction === 'older';
    const filter: Filter<ChatMessageDocument> = { roomId: { $eq: roomId }, ...visibleFilter(viewerId) };
    if (from !== null) filter.seq = older ? { $lt: from } : { $gt: from };
    return this.collection
      .find(filter)
      .sort({ seq: older ? -1 : 1 })
      .limit(limit + 1)
      .toArray();
  }

  /**
   * Messages with afterSeq < seq ≤ upToSeq (no upper bound when null), ascending, at most `limit`;
   * those the viewer may see when `visibility` says who reads, every one (hidden too) when it is undefined.
   */
  range(roomId: ObjectId, afterSeq: number, upToSeq: number | null, limit: number, visibility?: { viewerId: ObjectId | null }): Promise<ChatMessageDocument[]> {
    const seq = upToSeq === null ? { $gt: afterSeq } : { $gt: afterSeq, $lte: upToSeq };
    return this.collection
      .find({ roomId: { $eq: roomId }, seq, ...(visibility ? visibleFilter(visibility.viewerId) : {}) })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
  }

  /** The hidden messages of a range, ascending by seq, at most `limit`. */
  hiddenInRange(roomId: ObjectId, afterSeq: number, upToSeq: number | null, limit: number): Promise<ChatMessageDocument[]> {
    const seq = upToSeq === null ? { $gt: afterSeq } : { $gt: afterSeq, $lte: upToSeq };
    return this.collection
      .find({ roomId: { $eq: roomId }, seq, hiddenAt: { $exists: true } })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
  }

  /** The newest message below `belowSeq` the viewer may see (the newest one is hidden from them). */
  newestVisibleBelow(roomId: ObjectId, belowSeq: number, viewerId: ObjectId | null): Promise<ChatMessageDocument | null> {
    return this.collection.findOne({ roomId: { $eq: roomId }, seq: { $lt: belowSeq }, ...visibleFilter(viewerId) }, { sort: { seq: -1 } });
  }

  findById(id: ObjectId): Promise<ChatMessageDocument | null> {
    return this.collection.findOne({ _id: { $eq: id } });
  }

  /**
   * Applies a moderation decision taken at `at` unless one taken at `at` or later was applied
   * already (so events applied late, out of order or twice change nothing). Hidden: `hiddenAt`
   * and the reason are set; restored: they are removed; the body is never touched.
   */
  async moderate(id: ObjectId, decision: { hidden: true; reason: string | null } | { hidden: false }, at: Date): Promise<void> {
    const filter: Filter<ChatMessageDocument> = { _id: { $eq: id }, $or: [{ moderatedAt: { $exists: false } }, { moderatedAt: { $lt: at } }] };
    const update = decision.hidden
      ? { $set: { hiddenAt: at, hiddenReason: decision.reason, moderatedAt: at } }
      : { $set: { moderatedAt: at }, $unset: { hiddenAt: '' as const, hiddenReason: '' as const } };
    await this.collection.updateOne(filter, update);
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
