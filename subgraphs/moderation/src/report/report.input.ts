import 'reflect-metadata';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { ReportTargetType } from '../content/content-decision.type.js';
import { ModerationAction, ReportReason, ReportStatus } from './report.type.js';

@InputType()
export class ReportInput {
  @Field(() => ReportTargetType)
  targetType!: ReportTargetType;

  @Field(() => ID)
  targetId!: string;

  @Field(() => ReportReason)
  reason!: ReportReason;

  @Field(() => String, { nullable: true, description: 'Plain text, at most 500 characters.' })
  note?: string | null;
}

@ArgsType()
export class ReportsArgs {
  @Field(() => Int, { nullable: true })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => ReportStatus, { nullable: true, description: 'Only reports with this status (all when absent).' })
  status?: ReportStatus | null;

  @Field(() => ReportTargetType, { nullable: true })
  targetType?: ReportTargetType | null;
}

@ArgsType()
export class ResolveReportArgs {
  @Field(() => ID)
  reportId!: string;

  @Field(() => ModerationAction)
  action!: ModerationAction;

  @Field(() => String, { nullable: true, description: 'Plain text, at most 500 characters; recorded in the audit trail.' })
  note?: string | null;
}
