import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { ViewerDependent, ViewerDependence } from '@stagelives/schema';
import type { UsersContext } from '../context.js';
import { UpdateProfileInput } from './user.input.js';
import { Suspension, User } from './user.type.js';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: 'The signed-in user, or null.' })
  @ViewerDependent(ViewerDependence.VIEWER)
  async me(@Ctx() ctx: UsersContext): Promise<User | null> {
    if (!ctx.viewer) return null;
    const doc = await ctx.loaders.user.load(ctx.viewer.userId);
    return doc ? User.from(doc) : null;
  }

  @Query(() => User, { nullable: true })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: UsersContext): Promise<User | null> {
    // An id that cannot exist is answered with null by the loader, without a query.
    const doc = await ctx.loaders.user.load(id);
    return doc ? User.from(doc) : null;
  }

  @Mutation(() => User)
  async updateProfile(@Arg('input', () => UpdateProfileInput) input: UpdateProfileInput, @Ctx() ctx: UsersContext): Promise<User> {
    return User.from(await ctx.users.updateProfile(requireViewer(ctx), input));
  }

  @Mutation(() => Boolean, { description: 'Changes the password; every other session of the account ends.' })
  changePassword(
    @Arg('currentPassword', () => String) currentPassword: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: UsersContext,
  ): Promise<boolean> {
    return ctx.users.changePassword(requireViewer(ctx), currentPassword, newPassword);
  }

  @Mutation(() => Boolean, {
    description: 'Deletes the account (the password is required when it has one). Articles and messages stay, by a "deleted user".',
  })
  async deleteAccount(@Arg('password', () => String, { nullable: true }) password: string | null, @Ctx() ctx: UsersContext): Promise<boolean> {
    const { sessionChange } = await ctx.users.deleteAccount(requireViewer(ctx), password);
    ctx.sessionChange = sessionChange;
    // The rest of this response is read by nobody: the account is gone.
    ctx.viewer = null;
    return true;
  }

  @FieldResolver(() => Suspension, { nullable: true })
  suspension(@Root() user: User, @Ctx() ctx: UsersContext): Suspension | null {
    return ctx.users.suspensionFor(ctx.viewer, user);
  }

  @FieldResolver(() => Boolean, { nullable: true })
  emailVerified(@Root() user: User, @Ctx() ctx: UsersContext): boolean | null {
    return ctx.users.emailVerifiedFor(ctx.viewer, user);
  }

  @FieldResolver(() => String, { nullable: true })
  email(@Root() user: User, @Ctx() ctx: UsersContext): string | null {
    return ctx.users.emailFor(ctx.viewer, user);
  }
}
