import { ObjectId } from 'mongodb';
import type { AuditTrail } from '@stagelives/platform';
import {
  BadUserInputError,
  ConflictError,
  type Connection,
  connectionFromPage,
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  type Identity,
  NotFoundError,
  cleanText,
  pageSize,
  parseId,
} from '@stagelives/schema';
import type { ContentService } from '../content/content.service.js';
import { ReportTargetType } from '../content/content-decision.type.js';
import type { ReportInput, ReportsArgs, ResolveReportArgs } from './report.input.js';
import type { ReportQuery, ReportRepository } from './report.repository.js';
import type { ReportTargets } from './report-targets.js';
import { ModerationAction, Report, type ReportDocument, ReportStatus } from './report.type.js';

const NOTE_MAX = 500;

const cleanNote = (note: string | null | undefined, field: string): string | null => (note?.trim() ? cleanText(note, { field, max: NOTE_MAX }) : null);

const LABELS: Record<ReportTargetType, string> = {
  [ReportTargetType.ARTICLE]: 'Article',
  [ReportTargetType.COMMENT]: 'Comment',
  [ReportTargetType.CHAT_MESSAGE]: 'Chat message',
  [ReportTargetType.USER]: 'User',
};

/** How a resolution is stored and applied again after a crash (REPORT_RESOLVED). */
interface ResolveCommand extends Record<string, unknown> {
  targetType: ReportTargetType;
  targetId: string;
  status: ReportStatus.RESOLVED | ReportStatus.DISMISSED;
  action: ModerationAction;
  note: string | null;
  staffId: string;
  at: Date;
}

/**
 * Reports and the staff queue. A report is checked with the target's owner, as the reporter
 * (`ReportTargets`): what does not exist or what the reporter cannot see is NOT_FOUND. Resolving
 * acts on the target first (hide it through this domain's decisions, or suspend its author
 * through the users subgraph, with that domain's rules and audit), then closes every open report
 * on the target and records REPORT_RESOLVED, through the audit trail.
 */
export class ReportService {
  constructor(
    private readonly reports: ReportRepository,
    private readonly targets: ReportTargets,
    private readonly content: ContentService,
    audit: AuditTrail,
  ) {
    this.audit = audit.register({ REPORT_RESOLVED: (command) => this.applyResolve(command as ResolveCommand) });
  }

  private readonly audit: AuditTrail;

  /** Files a report, or returns the reporter's open one on the same target. */
  async report(reporter: Identity, input: ReportInput, now = new Date()): Promise<ReportDocument> {
    const targetId = parseId(input.targetId, 'input.targetId').toHexString();
    const note = cleanNote(input.note, 'input.note');
    if (input.targetType === ReportTargetType.USER && targetId === reporter.userId)
      throw new BadUserInputError('You cannot report yourself.', 'input.targetId');
    const openKey = `${reporter.userId}:${input.targetType}:${targetId}`;
    const open = await this.reports.findOpen(openKey);
    if (open) return open;
    const target = await this.targets.lookup(reporter, input.targetType, targetId);
    if (!target) throw new NotFoundError(LABELS[input.targetType], targetId);
    const doc: ReportDocument = {
      _id: new ObjectId(),
      reporterId: reporter.userId,
      targetType: input.targetType,
      targetId,
      authorId: target.authorId,
      reason: input.reason,
      note,
      status: ReportStatus.OPEN,
      openKey,
      createdAt: now,
      resolvedAt: null,
      resolution: null,
    };
    // Two at once: the unique open key keeps one; the other gets it.
    return (await this.reports.insertOpen(doc)) ?? (await this.reports.findOpen(openKey)) ?? doc;
  }

  /** The staff queue, newest first. */
  async queue(args: ReportsArgs): Promise<Connection<Report>> {
    const limit = pageSize(args.first);
    const query: ReportQuery = {};
    if (args.status) query.status = args.status;
    if (args.targetType) query.targetType = args.targetType;
    const after = args.after ? decodeTimeIdCursor(args.after) : null;
    const [docs, totalCount] = await Promise.all([this.reports.page(query, limit, after && { value: after.time, id: after.id }), this.reports.count(query)]);
    return connectionFromPage(docs, {
      limit,
      after: args.after,
      totalCount,
      edge: (doc) => ({ cursor: encodeTimeIdCursor(doc.createdAt, doc._id), node: Report.from(doc) }),
    });
  }

  async resolve(staff: Identity, args: ResolveReportArgs, now = new Date()): Promise<ReportDocument> {
    const id = parseId(args.reportId, 'reportId');
    const report = await this.reports.findById(id);
    if (!report) throw new NotFoundError('Report', args.reportId);
    if (report.status !== ReportStatus.OPEN) throw new ConflictError(`This report was already ${report.status.toLowerCase()}.`, 'reportId');
    const note = cleanNote(args.note, 'note');
    const why = note ?? `Reported for ${report.reason.toLowerCase()}.`;
    if (args.action === ModerationAction.HIDE_CONTENT) {
      if (report.targetType === ReportTargetType.USER) throw new BadUserInputError('An account cannot be hidden: SUSPEND_AUTHOR suspends it.', 'action');
      await this.content.hide(staff, report.targetType, report.targetId, why, now);
    } else if (args.action === ModerationAction.SUSPEND_AUTHOR) {
      if (!report.authorId) throw new BadUserInputError('This target has no author to suspend.', 'action');
      await this.targets.suspend(staff, report.authorId, why);
    }
    const command: ResolveCommand = {
      targetType: report.targetType,
      targetId: report.targetId,
      status: args.action === ModerationAction.DISMISS ? ReportStatus.DISMISSED : ReportStatus.RESOLVED,
      action: args.action,
      note,
      staffId: staff.userId,
      at: now,
    };
    await this.audit.record(
      {
        actorId: staff.userId,
        action: 'REPORT_RESOLVED',
        targetType: 'REPORT',
        targetId: report._id.toHexString(),
        reason: note,
        details: { action: args.action, targetType: report.targetType, targetId: report.targetId },
      },
      command,
      now,
    );
    return (await this.reports.findById(id)) ?? report;
  }

  /** Closes every open report on the target; idempotent (closed ones stay as they are). */
  private applyResolve(command: ResolveCommand): Promise<number> {
    return this.reports.closeOpenOnTarget(
      { targetType: command.targetType, targetId: command.targetId },
      command.status,
      { action: command.action, note: command.note, staffId: command.staffId },
      command.at,
    );
  }
}
