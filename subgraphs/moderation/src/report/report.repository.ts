import type { Collection, Db, Filter, ObjectId } from 'mongodb';
import { byId, ensureIndexes, isDuplicateKeyError, keysetAfter, type KeysetPosition } from '@stagelives/platform';
import type { ReportTargetType } from '../content/content-decision.type.js';
import { type ReportDocument, ReportStatus } from './report.type.js';

export interface ReportQuery {
  status?: ReportStatus;
  targetType?: ReportTargetType;
}

/** The `reports` collection: the staff queue. */
export class ReportRepository {
  private readonly collection: Collection<ReportDocument>;

  constructor(db: Db) {
    this.collection = db.collection<ReportDocument>('reports');
  }

  /** Idempotent (one index per command, as FerretDB needs). */
  ensureIndexes(): Promise<void> {
    return ensureIndexes(this.collection, [
      { key: { openKey: 1 }, name: 'openKey_unique', unique: true },
      { key: { status: 1, createdAt: -1, _id: -1 }, name: 'status_createdAt_id' },
      { key: { createdAt: -1, _id: -1 }, name: 'createdAt_id' },
      { key: { targetType: 1, targetId: 1, status: 1 }, name: 'target_status' },
    ]);
  }

  /** Stores a new open report; null when the reporter already has one open on the target. */
  async insertOpen(doc: ReportDocument): Promise<ReportDocument | null> {
    try {
      await this.collection.insertOne(doc);
      return doc;
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
  }

  findOpen(openKey: string): Promise<ReportDocument | null> {
    return this.collection.findOne({ openKey: { $eq: openKey }, status: { $eq: ReportStatus.OPEN } });
  }

  findById(id: ObjectId): Promise<ReportDocument | null> {
    return this.collection.findOne(byId(id));
  }

  private filterOf(query: ReportQuery): Filter<ReportDocument> {
    const filter: Filter<ReportDocument> = {};
    if (query.status) filter.status = { $eq: query.status };
    if (query.targetType) filter.targetType = { $eq: query.targetType };
    return filter;
  }

  /** One page, newest first, plus one to tell whether more follow. */
  page(query: ReportQuery, limit: number, after?: KeysetPosition | null): Promise<ReportDocument[]> {
    const filter = this.filterOf(query);
    const keyset = keysetAfter<ReportDocument>('createdAt', -1, after);
    return this.collection
      .find(after ? { $and: [filter, keyset] } : filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
  }

  count(query: ReportQuery): Promise<number> {
    return this.collection.countDocuments(this.filterOf(query));
  }

  /**
   * Closes every open report on a target with `status` and `resolution`; returns how many. Each
   * closed report's `openKey` gets its id appended, so the unique index lets a new one open.
   * Idempotent: reports already closed are left as they are.
   */
  async closeOpenOnTarget(
    target: { targetType: ReportTargetType; targetId: string },
    status: ReportStatus.RESOLVED | ReportStatus.DISMISSED,
    resolution: NonNullable<ReportDocument['resolution']>,
    now: Date,
  ): Promise<number> {
    const open = await this.collection
      .find({ targetType: { $eq: target.targetType }, targetId: { $eq: target.targetId }, status: { $eq: ReportStatus.OPEN } })
      .toArray();
    let closed = 0;
    for (const report of open) {
      const { modifiedCount } = await this.collection.updateOne(
        { _id: report._id, status: ReportStatus.OPEN },
        { $set: { status, resolution, resolvedAt: now, openKey: `${report.openKey}:${report._id.toHexString()}` } },
      );
      closed += modifiedCount;
    }
    return closed;
  }
}
