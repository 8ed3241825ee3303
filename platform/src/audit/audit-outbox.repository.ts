import type { Collection, Db } from 'mongodb';
import type { AuditEntryPayload } from '@stagelives/schema';
import { ensureIndexes } from '../mongo/ensure-indexes.js';

/**
 * One staff action on its way to the audit trail, in the acting domain's own database: written
 * before the action (`pending`, with what is needed to apply it again), marked `applied` after
 * it, removed once the entry is on the audit stream.
 */
export interface AuditOutboxDocument {
  /** The entry's id. */
  _id: string;
  entry: AuditEntryPayload;
  /** The action's arguments, as its applier takes them. */
  command: Record<string, unknown>;
  state: 'pending' | 'applied';
  updatedAt: Date;
}

const AUDIT_OUTBOX_COLLECTION = 'audit_outbox';

export class AuditOutboxRepository {
  private readonly collection: Collection<AuditOutboxDocument>;

  constructor(db: Db) {
    this.collection = db.collection<AuditOutboxDocument>(AUDIT_OUTBOX_COLLECTION);
  }

  ensureIndexes(): Promise<void> {
    return ensureIndexes(this.collection, [{ key: { state: 1, updatedAt: 1 }, name: 'state_updatedAt' }]);
  }

  async insertPending(doc: Omit<AuditOutboxDocument, 'state' | 'updatedAt'>, now = new Date()): Promise<void> {
    await this.collection.insertOne({ ...doc, state: 'pending', updatedAt: now });
  }

  async markApplied(id: string, now = new Date()): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { state: 'applied', updatedAt: now } });
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.collection.deleteMany({ _id: { $in: [...ids] } });
  }

  /** Pending actions last touched before `before`: their process may have died mid-way. */
  stalePending(before: Date, limit = 100): Promise<AuditOutboxDocument[]> {
    return this.collection
      .find({ state: 'pending', updatedAt: { $lt: before } })
      .sort({ updatedAt: 1 })
      .limit(limit)
      .toArray();
  }

  /** Applied actions whose entries are not on the stream yet. */
  applied(limit = 100): Promise<AuditOutboxDocument[]> {
    return this.collection.find({ state: 'applied' }).sort({ updatedAt: 1 }).limit(limit).toArray();
  }
}
