import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { RateLimit } from '@stagelives/schema';
import type { UsersContext } from '../context.js';
import { User } from '../user/user.type.js';

@Resolver()
export class AccountEmailResolver {
  @Mutation(() => Boolean, {
    description:
      'Emails a password-reset link (valid 30 minutes, single use) when an account has this address. Always true, in the same time either way; limited per address and per client.',
  })
  requestPasswordReset(@Arg('email', () => String) email: string, @Ctx() ctx: UsersContext): Promise<boolean> {
    return ctx.accountEmail.requestPasswordReset(email);
  }

  @Mutation(() => Boolean, {
    description:
      "Sets a new password with a reset link's token: every session of the account ends, its log-in lock is lifted and a notice is emailed. A used, expired or unknown token is BAD_USER_INPUT.",
  })
  async resetPassword(
    @Arg('token', () => String) token: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: UsersContext,
  ): Promise<boolean> {
    const { sessionChange } = await ctx.accountEmail.resetPassword(token, newPassword, ctx.viewer);
    if (sessionChange) {
      ctx.sessionChange = sessionChange;
      ctx.viewer = null;
    }
    return true;
  }

  @Mutation(() => User, { description: "Verifies the account's email address with the token of its verification link (single use)." })
  async verifyEmail(@Arg('token', () => String) token: string, @Ctx() ctx: UsersContext): Promise<User> {
    const user = User.from(await ctx.accountEmail.verifyEmail(token));
    // Whoever holds the link reads the answer, signed in or not.
    user.verifiedByLink = true;
    return user;
  }

  @Mutation(() => Boolean, { description: 'Emails a new verification link (the last one stops working). False when the address is verified already.' })
  @RateLimit(3, 600)
  resendVerificationEmail(@Ctx() ctx: UsersContext): Promise<boolean> {
    return ctx.accountEmail.resendVerification(requireViewer(ctx));
  }
}
