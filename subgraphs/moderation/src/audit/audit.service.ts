import { type AuditEntryPayload, BadUserInputError, type Connection, connectionFromPage, decodeCursor, encodeCursor, pageSize } from '@stagelives/schema';
import type { AuditEntryRepository, AuditPosition, AuditQuery } from './audit-entry.repository.js';
import { AuditEntry, type AuditEntryDocument } from './audit-entry.type.js';
import type { AuditLogArgs } from './audit.input.js';

const cursorOf = (doc: AuditEntryDocument) => encodeCursor([doc.createdAt.toISOString(), doc._id]);

/** The audit trail as admins read it, and as the audit stream fills it. */
export class AuditService {
  constructor(private readonly entries: AuditEntryRepository) {}

  /** Newest first, optionally of one actor and/or one target. */
  async log(args: AuditLogArgs): Promise<Connection<AuditEntry>> {
    const limit = pageSize(args.first);
    const query: AuditQuery = {};
    if (args.actorId) query.actorId = args.actorId;
    if (args.targetId) query.targetId = args.targetId;
    let from: AuditPosition | null = null;
    if (args.after) {
      const [time, id] = decodeCursor(args.after, 2);
      const createdAt = new Date(String(time));
      if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string') throw new BadUserInputError('after is not a cursor of this list.', 'after');
      from = { createdAt, id };
    }
    const [docs, totalCount] = await Promise.all([this.entries.page(query, limit, from), this.entries.count(query)]);
    return connectionFromPage(docs, { limit, after: args.after, totalCount, edge: (doc) => ({ cursor: cursorOf(doc), node: AuditEntry.from(doc) }) });
  }

  /** Keeps one entry of the audit stream; true when it was new (an entry appended twice is kept once). */
  keep(entry: AuditEntryPayload, now = new Date()): Promise<boolean> {
    return this.entries.insertOnce({
      _id: entry.entryId,
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      reason: entry.reason ?? null,
      details: entry.details ?? {},
      createdAt: new Date(entry.at),
      recordedAt: now,
    });
  }
}
