import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { ViewerDependence, ViewerDependent } from '@stagelives/schema';
import type { NotificationsContext } from '../context.js';
import { NotificationPreferencesType } from '../settings/settings.type.js';
import { UserReference } from './user.reference.js';

/** `User.notificationPreferences`, a field this subgraph adds to the users subgraph's User. */
@Resolver(() => UserReference)
export class UserNotificationPreferencesResolver {
  @FieldResolver(() => NotificationPreferencesType, { nullable: true, description: 'Only for the user themself.' })
  @ViewerDependent(ViewerDependence.OWNER)
  async notificationPreferences(@Root() user: UserReference, @Ctx() ctx: NotificationsContext): Promise<NotificationPreferencesType | null> {
    if (ctx.viewer?.userId !== user.id) return null;
    return NotificationPreferencesType.from(await ctx.loaders.preferences.load(user.id));
  }
}
