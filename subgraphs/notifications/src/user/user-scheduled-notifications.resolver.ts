import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import type { NotificationsContext } from '../context.js';
import { ScheduledNotification } from '../scheduled-notification/scheduled-notification.type.js';
import { UserReference } from './user.reference.js';
import { ListSize, ViewerDependence, ViewerDependent } from '@stagelives/schema';
import { SCHEDULED_READ_LIMIT } from '../scheduled-notification/scheduled-notification.service.js';

/** `User.scheduledNotifications`, a field this subgraph adds to the users subgraph's User. */
@Resolver(() => UserReference)
export class UserScheduledNotificationsResolver {
  @ListSize(SCHEDULED_READ_LIMIT)
  @FieldResolver(() => [ScheduledNotification], {
    description: 'The user’s reminders: PENDING first (soonest first), then the 50 most recently finished. Only the user themself (and admins).',
  })
  @ViewerDependent(ViewerDependence.OWNER)
  async scheduledNotifications(@Root() user: UserReference, @Ctx() ctx: NotificationsContext): Promise<ScheduledNotification[]> {
    const views = await ctx.scheduled.listForUser(requireViewer(ctx), user.id);
    return views.map((v) => ScheduledNotification.from(v.reminder, v.outcome));
  }
}
