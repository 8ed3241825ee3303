import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { BadUserInputError } from '@stagelives/schema';
import { requireViewer } from '@stagelives/platform/subgraph';
import type { NotificationPreferences } from './settings.repository.js';
import type { UsersContext } from '../context.js';
import { User } from '../user/user.type.js';
import { DevicePlatform, NotificationPreferencesInput, NotificationPreferencesType } from './settings.type.js';

const TOKEN = /^[\x21-\x7e]{1,4096}$/;

function cleanToken(token: string): string {
  if (!TOKEN.test(token)) throw new BadUserInputError('token is not a valid device token.', 'token');
  return token;
}

function cleanLead(value: number | null | undefined, field: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 5 || value > 10_080) throw new BadUserInputError(`${field} must be between 5 and 10080 minutes.`, field);
  return value;
}

@Resolver(() => User)
export class SettingsResolver {
  @Mutation(() => Boolean, { description: 'Registers a push token for the viewer; a token belongs to one user at a time.' })
  async registerDevice(
    @Arg('token', () => String) token: string,
    @Arg('platform', () => DevicePlatform) platform: DevicePlatform,
    @Ctx() ctx: UsersContext,
  ): Promise<boolean> {
    const viewer = requireViewer(ctx);
    await ctx.settings.registerDevice(viewer.userId, cleanToken(token), platform);
    return true;
  }

  @Mutation(() => Boolean, { description: "Removes one of the viewer's push tokens (true even when it was already gone)." })
  async unregisterDevice(@Arg('token', () => String) token: string, @Ctx() ctx: UsersContext): Promise<boolean> {
    const viewer = requireViewer(ctx);
    await ctx.settings.unregisterDevice(viewer.userId, cleanToken(token));
    return true;
  }

  @Mutation(() => NotificationPreferencesType)
  async updateNotificationPreferences(
    @Arg('input', () => NotificationPreferencesInput) input: NotificationPreferencesInput,
    @Ctx() ctx: UsersContext,
  ): Promise<NotificationPreferences> {
    const viewer = requireViewer(ctx);
    const changes: Partial<NotificationPreferences> = {};
    if (typeof input.ticketOpen === 'boolean') changes.ticketOpen = input.ticketOpen;
    if (typeof input.concertStart === 'boolean') changes.concertStart = input.concertStart;
    const ticketLead = cleanLead(input.ticketOpenLeadMinutes, 'input.ticketOpenLeadMinutes');
    const startLead = cleanLead(input.concertStartLeadMinutes, 'input.concertStartLeadMinutes');
    if (ticketLead !== undefined) changes.ticketOpenLeadMinutes = ticketLead;
    if (startLead !== undefined) changes.concertStartLeadMinutes = startLead;
    return ctx.settings.updatePreferences(viewer.userId, changes);
  }

  @FieldResolver(() => NotificationPreferencesType, { nullable: true, description: 'Only for the user themself.' })
  async notificationPreferences(@Root() user: User, @Ctx() ctx: UsersContext): Promise<NotificationPreferences | null> {
    if (ctx.viewer?.userId !== user.id) return null;
    return (await ctx.loaders.preferences.load(user.id)) ?? null;
  }
}
