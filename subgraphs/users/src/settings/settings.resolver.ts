import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import type { UsersContext } from '../context.js';
import { User } from '../user/user.type.js';
import { DevicePlatform, NotificationPreferencesInput, NotificationPreferencesType, type NotificationPreferences } from './settings.type.js';
import { ViewerDependent, ViewerDependence } from '@stagelives/schema';

@Resolver(() => User)
export class SettingsResolver {
  @Mutation(() => Boolean, { description: 'Registers a push token for the viewer; a token belongs to one user at a time.' })
  async registerDevice(
    @Arg('token', () => String) token: string,
    @Arg('platform', () => DevicePlatform) platform: DevicePlatform,
    @Ctx() ctx: UsersContext,
  ): Promise<boolean> {
    await ctx.settings.registerDevice(requireViewer(ctx).userId, token, platform);
    return true;
  }

  @Mutation(() => Boolean, { description: "Removes one of the viewer's push tokens (true even when it was already gone)." })
  async unregisterDevice(@Arg('token', () => String) token: string, @Ctx() ctx: UsersContext): Promise<boolean> {
    await ctx.settings.unregisterDevice(requireViewer(ctx).userId, token);
    return true;
  }

  @Mutation(() => NotificationPreferencesType)
  updateNotificationPreferences(
    @Arg('input', () => NotificationPreferencesInput) input: NotificationPreferencesInput,
    @Ctx() ctx: UsersContext,
  ): Promise<NotificationPreferences> {
    return ctx.settings.updatePreferences(requireViewer(ctx).userId, input);
  }

  @FieldResolver(() => NotificationPreferencesType, { nullable: true, description: 'Only for the user themself.' })
  @ViewerDependent(ViewerDependence.OWNER)
  async notificationPreferences(@Root() user: User, @Ctx() ctx: UsersContext): Promise<NotificationPreferences | null> {
    if (ctx.viewer?.userId !== user.id) return null;
    return NotificationPreferencesType.from(await ctx.loaders.preferences.load(user.id));
  }
}
