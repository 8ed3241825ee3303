import 'reflect-metadata';
import type { ObjectId } from 'mongodb';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '@stagelives/schema';
import { ReportTargetType } from '../content/content-decision.type.js';

export enum ReportReason {
  SPAM = 'SPAM',
  HARASSMENT = 'HARASSMENT',
  HATE = 'HATE',
  SEXUAL = 'SEXUAL',
  VIOLENCE = 'VIOLENCE',
  ILLEGAL = 'ILLEGAL',
  OTHER = 'OTHER',
}
registerEnumType(ReportReason, { name: 'ReportReason', description: 'Why a user reports something.' });

export enum ReportStatus {
  /** Waiting in the staff queue. */
  OPEN = 'OPEN',
  /** Staff acted on the target (hid it or suspended its author). */
  RESOLVED = 'RESOLVED',
  /** Staff found nothing to do. */
  DISMISSED = 'DISMISSED',
}
registerEnumType(ReportStatus, { name: 'ReportStatus', description: 'Where a report is in the staff queue.' });

export enum ModerationAction {
  DISMISS = 'DISMISS',
  HIDE_CONTENT = 'HIDE_CONTENT',
  SUSPEND_AUTHOR = 'SUSPEND_AUTHOR',
}
registerEnumType(ModerationAction, { name: 'ModerationAction', description: 'What staff do about a reported target.' });

/**
 * One report, in the `reports` collection. `openKey` is `<reporter>:<type>:<target>` while the
 * report is open (a unique index: one open report per reporter and target) and gets the report's
 * own id appended when it closes, so the reporter can report the target again later.
 */
export interface ReportDocument {
  _id: ObjectId;
  reporterId: string;
  targetType: ReportTargetType;
  targetId: string;
  /** Who wrote the target when it was reported (the account itself for a USER): SUSPEND_AUTHOR suspends them. */
  authorId: string;
  reason: ReportReason;
  note: string | null;
  status: ReportStatus;
  openKey: string;
  createdAt: Date;
  resolvedAt: Date | null;
  resolution: { action: ModerationAction; note: string | null; staffId: string } | null;
}

@ObjectType('Report', { description: 'A user’s report of content or an account. The reporter sees their own; staff see the queue.' })
export class Report {
  @Field(() => ID)
  id!: string;

  @Field(() => ReportStatus)
  status!: ReportStatus;

  @Field(() => ReportTargetType)
  targetType!: ReportTargetType;

  @Field(() => ID)
  targetId!: string;

  @Field(() => ReportReason)
  reason!: ReportReason;

  @Field(() => String, { nullable: true, description: 'The reporter’s note: plain text, at most 500 characters.' })
  note!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When staff resolved or dismissed it.' })
  resolvedAt!: Date | null;

  reporterId!: string;

  static from(doc: ReportDocument): Report {
    return Object.assign(new Report(), {
      id: doc._id.toHexString(),
      status: doc.status,
      targetType: doc.targetType,
      targetId: doc.targetId,
      reason: doc.reason,
      note: doc.note,
      createdAt: doc.createdAt,
      resolvedAt: doc.resolvedAt,
      reporterId: doc.reporterId,
    });
  }
}

export const ReportConnection = ConnectionType('Report', Report);
export type ReportConnection = InstanceType<typeof ReportConnection>;
