import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import type { UsersContext } from '../context.js';
import { Role, User } from '../user/user.type.js';

/** Roles (admins) and suspensions (staff) of accounts. */
@Resolver()
export class StaffResolver {
  @Mutation(() => User, { description: 'Grants MODERATOR or ADMIN (admins only). Takes effect at the user’s next request and on their open sockets.' })
  async grantRole(@Arg('userId', () => ID) userId: string, @Arg('role', () => Role) role: Role, @Ctx() ctx: UsersContext): Promise<User> {
    return User.from(await ctx.staff.grantRole(requireViewer(ctx), userId, role));
  }

  @Mutation(() => User, { description: 'Revokes MODERATOR or ADMIN (admins only); the last admin cannot be demoted.' })
  async revokeRole(@Arg('userId', () => ID) userId: string, @Arg('role', () => Role) role: Role, @Ctx() ctx: UsersContext): Promise<User> {
    return User.from(await ctx.staff.revokeRole(requireViewer(ctx), userId, role));
  }

  @Mutation(() => User, {
    description:
      'Suspends an account (staff; moderators cannot suspend staff, nobody themself): its sessions end, its sockets close, and it cannot sign in until `until` (null: until lifted).',
  })
  async suspendUser(
    @Arg('userId', () => ID) userId: string,
    @Arg('reason', () => String) reason: string,
    @Arg('until', () => Date, { nullable: true }) until: Date | null,
    @Ctx() ctx: UsersContext,
  ): Promise<User> {
    return User.from(await ctx.staff.suspendUser(requireViewer(ctx), userId, reason, until));
  }

  @Mutation(() => User, { description: 'Lifts a suspension (staff); the user may sign in again.' })
  async unsuspendUser(@Arg('userId', () => ID) userId: string, @Ctx() ctx: UsersContext): Promise<User> {
    return User.from(await ctx.staff.unsuspendUser(requireViewer(ctx), userId));
  }
}
