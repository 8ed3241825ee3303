import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { requireStaff } from '@stagelives/platform/subgraph';
import type { ModerationContext } from '../context.js';
import { HideContentArgs, RestoreContentArgs } from './content.input.js';

@Resolver()
export class ContentResolver {
  @Mutation(() => Boolean, {
    description: 'Staff only. Hides an article, comment or chat message from everyone but its author; USER is BAD_USER_INPUT. Idempotent.',
  })
  hideContent(@Args(() => HideContentArgs) args: HideContentArgs, @Ctx() ctx: ModerationContext): Promise<boolean> {
    return ctx.content.hide(requireStaff(ctx), args.targetType, args.targetId, args.reason);
  }

  @Mutation(() => Boolean, { description: 'Staff only. Brings hidden content back, unchanged. Idempotent.' })
  restoreContent(@Args(() => RestoreContentArgs) args: RestoreContentArgs, @Ctx() ctx: ModerationContext): Promise<boolean> {
    return ctx.content.restore(requireStaff(ctx), args.targetType, args.targetId);
  }
}
