import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Paged, ViewerDependence, ViewerDependent } from '@stagelives/schema';
import type { ModerationContext } from '../context.js';
import { UserReference } from '../user/user.reference.js';
import { AuditEntry, AuditEntryConnection } from './audit-entry.type.js';
import { AuditLogArgs } from './audit.input.js';

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Paged()
  @Query(() => AuditEntryConnection, { description: 'Admins only. What staff did, newest first.' })
  @ViewerDependent(ViewerDependence.STAFF)
  auditLog(@Args(() => AuditLogArgs) args: AuditLogArgs, @Ctx() ctx: ModerationContext): Promise<AuditEntryConnection> {
    return ctx.audit.log(args);
  }

  @FieldResolver(() => UserReference, {
    nullable: true,
    description: 'The staff member; a deleted account shows as the users subgraph’s deleted user (nickname "deleted user").',
  })
  actor(@Root() entry: AuditEntry): UserReference {
    return UserReference.of(entry.actorId);
  }
}
