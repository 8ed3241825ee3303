import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { ConcertReference } from '../concert/concert.reference.js';
import type { NotificationsContext } from '../context.js';
import { Notification, NotificationConnection } from './notification.type.js';

@Resolver(() => Notification)
export class NotificationResolver {
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
