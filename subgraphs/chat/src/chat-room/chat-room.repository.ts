import { byId, ensureIndexes, findByIds, isDuplicateKeyError, keysetAfter, type KeysetPosition } from '@stagelives/platform';
import type { Collection, Db, Filter, ObjectId } from 'mongodb';
import type { ChatRoomDocument } from './chat-room.type.js';

export interface ChatRoomQuery {
  concertId?: ObjectId;
}

/** The `rooms` collection; the only code that talks to it. */
export class ChatRoomRepository {
  readonly collection: Collection<ChatRoomDocument>;

  /** `pointReadsUpTo`: ids `findByIds` reads one by one (platform's pointReadsFor). */
  constructor(
    db: Db,
    private readonly pointReadsUpTo = 0,
  ) {
    this.collection = db.collection<ChatRoomDocument>('rooms');
  }

  /** Idempotent (platform's ensureIndexes: one index per command, as FerretDB needs). */
  ensureIndexes(): Promise<void> {
    return ensureIndexes(this.collection, [
      // At most one room per concert; rooms without a concert lack the field (FerretDB has no partial indexes).
      { key: { concertId: 1 }, name: 'concert_unique', unique: true, sparse: true },
      { key: { lastActivityAt: -1, _id: -1 }, name: 'lastActivityAt_id' },
    ]);
  }

  async insert(doc: Omit<ChatRoomDocument, '_id'>): Promise<ChatRoomDocument> {
    const { insertedId } = await this.collection.insertOne(doc as ChatRoomDocument);
    return { ...doc, _id: insertedId };
  }

  /** Inserts a concert's room; null when the concert already has one (the unique index decides, also under races). */
  async insertUnique(doc: Omit<ChatRoomDocument, '_id'>): Promise<ChatRoomDocument | null> {
    try {
      return await this.insert(doc);
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
  }

  findById(id: ObjectId): Promise<ChatRoomDocument | null> {
    return this.collection.findOne(byId(id));
  }

  findByIds(ids: readonly ObjectId[]): Promise<ChatRoomDocument[]> {
    return findByIds(this.collection, ids, {}, this.pointReadsUpTo);
  }

  findByConcertId(concertId: ObjectId): Promise<ChatRoomDocument | null> {
    return this.collection.findOne({ concertId: { $eq: concertId } });
  }

  findByConcertIds(concertIds: readonly ObjectId[]): Promise<ChatRoomDocument[]> {
    return this.collection.find({ concertId: { $in: [...concertIds] } }).toArray();
  }

  private filterOf(query: ChatRoomQuery): Filter<ChatRoomDocument> {
    return query.concertId ? { concertId: { $eq: query.concertId } } : {};
  }

  /** One page by (lastActivityAt, _id) descending, plus one extra to tell whether more follow. */
  page(query: ChatRoomQuery, limit: number, after?: KeysetPosition | null): Promise<ChatRoomDocument[]> {
    const conditions = [this.filterOf(query), keysetAfter<ChatRoomDocument>('lastActivityAt', -1, after)].filter((c) => Object.keys(c).length > 0);
    const filter = conditions.length > 1 ? { $and: conditions } : (conditions[0] ?? {});
    return this.collection
      .find(filter)
      .sort({ lastActivityAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
  }

  count(query: ChatRoomQuery): Promise<number> {
    return this.collection.countDocuments(this.filterOf(query));
  }

  /**
   * Moves the room's activity time and newest-seq hint forward after a message. `$max` is
   * atomic on MongoDB; FerretDB applies concurrent updates of one document without isolation,
   * so there a racing older value can win: both fields are hints (see docs/chat.md).
   */
  async noteMessage(id: ObjectId, seq: number, at: Date): Promise<void> {
    await this.collection.updateOne(byId(id), { $max: { lastSeqHint: seq, lastActivityAt: at } });
  }
}
