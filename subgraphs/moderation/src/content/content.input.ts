import 'reflect-metadata';
import { ArgsType, Field, ID } from 'type-graphql';
import { ReportTargetType } from './content-decision.type.js';

@ArgsType()
export class HideContentArgs {
  @Field(() => ReportTargetType)
  targetType!: ReportTargetType;

  @Field(() => ID)
  targetId!: string;

  @Field(() => String, { description: 'Plain text, 1–500 characters; recorded in the audit trail.' })
  reason!: string;
}

@ArgsType()
export class RestoreContentArgs {
  @Field(() => ReportTargetType)
  targetType!: ReportTargetType;

  @Field(() => ID)
  targetId!: string;
}
