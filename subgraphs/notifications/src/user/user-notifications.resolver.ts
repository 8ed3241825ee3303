import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import type { NotificationsContext } from '../context.js';
import { Notification, NotificationConnection } from '../notification/notification.type.js';
import { UserReference } from './user.reference.js';
import { Paged, ViewerDependence, ViewerDependent } from '@stagelives/schema';

/** `User.notifications`, a field this subgraph adds to the users subgraph's User. */
@Resolver(() => UserReference)
export class UserNotificationsResolver {
  @Paged()
  @FieldResolver(() => NotificationConnection, { description: 'In-app notifications, newest first. Only the user themself (and admins) may read them.' })
  @ViewerDependent(ViewerDependence.OWNER)
  async notifications(
    @Root() user: UserReference,
    @Arg('first', () => Int, { nullable: true, description: '1–100, default 20.' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: NotificationsContext,
  ): Promise<NotificationConnection> {
    const page = await ctx.notifications.page(requireViewer(ctx), user.id, first, after);
    return {
      userId: user.id,
      pageInfo: page.pageInfo,
      edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: Notification.from(edge.node.notification, edge.node.readAt) })),
    };
  }
}
