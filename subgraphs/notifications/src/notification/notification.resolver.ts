import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { ListSize, ViewerDependence, ViewerDependent } from '@stagelives/schema';
import { ConcertReference } from '../concert/concert.reference.js';
import type { NotificationsContext } from '../context.js';
import { ADDED_MAX_IDS } from './notification.service.js';
import { Notification, NotificationConnection } from './notification.type.js';

/** The subgraph declares `notificationAdded` so the supergraph has it; the router serves it (graphql-ws, graphql-sse). */
export function servedByTheRouter(): never {
  throw new Error('notificationAdded is served by the router; the notifications subgraph does not serve subscriptions.');
}

@Resolver(() => Notification)
export class NotificationResolver {
  @ViewerDependent(ViewerDependence.OWNER)
  @Subscription(() => Notification, {
    subscribe: servedByTheRouter,
    description:
      'Each new in-app notification of the signed-in viewer, the moment it is recorded. Served by the router (WebSocket and Server-Sent Events), never by the notifications subgraph.',
  })
  notificationAdded(): Notification {
    return servedByTheRouter();
  }

  @ListSize(ADDED_MAX_IDS)
  @ViewerDependent(ViewerDependence.OWNER)
  @Query(() => [Notification], {
    description:
      'The router’s read for `notificationAdded`: the viewer’s own notifications among `ids` (at most 100), oldest first; others’ and unknown ids give nothing.',
  })
  async notificationsAdded(@Arg('ids', () => [ID]) ids: string[], @Ctx() ctx: NotificationsContext): Promise<Notification[]> {
    const views = await ctx.notifications.added(requireViewer(ctx), ids);
    return views.map((v) => Notification.from(v.notification, v.readAt));
  }

  @Mutation(() => Int, {
    description:
      'Marks the viewer’s notifications read: those in `ids`, or all when `ids` is absent or null (an empty list marks none). Returns how many changed.',
  })
  markNotificationsRead(@Arg('ids', () => [ID], { nullable: true }) ids: string[] | null, @Ctx() ctx: NotificationsContext): Promise<number> {
    return ctx.notifications.markRead(requireViewer(ctx), ids);
  }

  @FieldResolver(() => ConcertReference, { nullable: true, description: 'The concert it is about (null once the concert is deleted).' })
  concert(@Root() notification: Notification): ConcertReference {
    return ConcertReference.of(notification.concertId);
  }
}

@Resolver(() => NotificationConnection)
export class NotificationConnectionResolver {
  @FieldResolver(() => Int, { description: 'All of the user’s notifications (kept 90 days).' })
  totalCount(@Root() connection: NotificationConnection, @Ctx() ctx: NotificationsContext): Promise<number> {
    return ctx.notifications.totalCount(connection.userId);
  }

  @FieldResolver(() => Int, { description: 'Notifications not marked read yet.' })
  unreadCount(@Root() connection: NotificationConnection, @Ctx() ctx: NotificationsContext): Promise<number> {
    return ctx.notifications.unreadCount(connection.userId);
  }
}
