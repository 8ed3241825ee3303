import type { Collection, Db, Filter } from 'mongodb';
import { ensureIndexes, isDuplicateKeyError } from '@stagelives/platform';
import type { AuditEntryDocument } from './audit-entry.type.js';

/** Where a page starts: after the entry of this time and id (newest first). */
export interface AuditPosition {
  createdAt: Date;
  id: string;
}

export interface AuditQuery {
  actorId?: string;
  targetId?: string;
}

/** The `audit_entries` collection: append-only (inserts and reads, no update or delete exists). */
export class AuditEntryRepository {
  readonly collection: Collection<AuditEntryDocument>;

  constructor(db: Db) {
    this.collection = db.collection<AuditEntryDocument>('audit_entries');
  }

  /** Idempotent (one index per command, as FerretDB needs). */
  ensureIndexes(): Promise<void> {
    return ensureIndexes(this.collection, [
      { key: { createdAt: -1, _id: -1 }, name: 'createdAt_id' },
      { key: { actorId: 1, createdAt: -1, _id: -1 }, name: 'actor_createdAt_id' },
      { key: { targetId: 1, createdAt: -1, _id: -1 }, name: 'target_createdAt_id' },
    ]);
  }

  /** Stores an entry once: false when an entry with its id is already there. */
  async insertOnce(doc: AuditEntryDocument): Promise<boolean> {
    try {
      await this.collection.insertOne(doc);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  private filterOf(query: AuditQuery): Filter<AuditEntryDocument> {
    const and: Filter<AuditEntryDocument>[] = [];
    if (query.actorId) and.push({ actorId: { $eq: query.actorId } });
    if (query.targetId) and.push({ targetId: { $eq: query.targetId } });
    return and.length ? { $and: and } : {};
  }

  /** One page, newest first (ties by id), plus one extra to tell whether more follow. */
  page(query: AuditQuery, limit: number, after?: AuditPosition | null): Promise<AuditEntryDocument[]> {
    const filter = this.filterOf(query);
    // Entry ids are UUIDs, not ObjectIds: the keyset is written here rather than with platform's keysetAfter.
    const keyset: Filter<AuditEntryDocument> = after
      ? { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: { $eq: after.createdAt }, _id: { $lt: after.id } }] }
      : {};
    const withAfter: Filter<AuditEntryDocument> = after ? { $and: [filter, keyset] } : filter;
    return this.collection
      .find(withAfter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
  }

  count(query: AuditQuery): Promise<number> {
    return this.collection.countDocuments(this.filterOf(query));
  }
}
