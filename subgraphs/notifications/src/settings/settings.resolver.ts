import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import type { NotificationsContext } from '../context.js';
import type { ReminderPreferences } from '../reminder/reminder.rules.js';
import { DevicePlatform, NotificationPreferencesInput, NotificationPreferencesType } from './settings.type.js';

/** The viewer's push tokens and reminder preferences. */
@Resolver()
export class SettingsResolver {
  @Mutation(() => Boolean, { description: 'Registers a push token for the viewer; a token belongs to one user at a time.' })
  async registerDevice(
    @Arg('token', () => String) token: string,
    @Arg('platform', () => DevicePlatform) platform: DevicePlatform,
    @Ctx() ctx: NotificationsContext,
  ): Promise<boolean> {
    await ctx.settings.registerDevice(requireViewer(ctx).userId, token, platform);
    return true;
  }

  @Mutation(() => Boolean, { description: "Removes one of the viewer's push tokens (true even when it was already gone)." })
  async unregisterDevice(@Arg('token', () => String) token: string, @Ctx() ctx: NotificationsContext): Promise<boolean> {
    await ctx.settings.unregisterDevice(requireViewer(ctx).userId, token);
    return true;
  }

  @Mutation(() => NotificationPreferencesType)
  updateNotificationPreferences(
    @Arg('input', () => NotificationPreferencesInput) input: NotificationPreferencesInput,
    @Ctx() ctx: NotificationsContext,
  ): Promise<ReminderPreferences> {
    return ctx.settings.updatePreferences(requireViewer(ctx).userId, input);
  }
}
