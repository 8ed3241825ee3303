import 'reflect-metadata';
import { ArgsType, Field, ID, Int } from 'type-graphql';

@ArgsType()
export class AuditLogArgs {
  @Field(() => Int, { nullable: true })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only the actions of this staff member.' })
  actorId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only the actions on this target.' })
  targetId?: string | null;
}
