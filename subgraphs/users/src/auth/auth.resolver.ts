import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { UsersContext } from '../context.js';
import { User } from '../user/user.type.js';
import { identityOf, type SignIn } from './auth.service.js';
import { AuthPayload, SignUpInput } from './auth.type.js';

/**
 * Applies a sign-in to this request: the router sets the session cookie, and the rest of the
 * response (e.g. `user { email }`) is read by the user who just signed in.
 */
function signedIn(ctx: UsersContext, { token, user, session, sessionChange }: SignIn): AuthPayload {
  ctx.sessionChange = sessionChange;
  ctx.viewer = identityOf(session);
  return { sessionToken: token, user: User.from(user) };
}

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates an account and signs in.' })
  async signUp(@Arg('input', () => SignUpInput) input: SignUpInput, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    return signedIn(ctx, await ctx.auth.signUp(input, ctx.viewer, ctx.acceptLanguage));
  }

  @Mutation(() => AuthPayload, { description: 'Signs in with email and password; always starts a new session.' })
  async logIn(@Arg('email', () => String) email: string, @Arg('password', () => String) password: string, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    return signedIn(ctx, await ctx.auth.logIn(email, password, ctx.viewer));
  }

  @Mutation(() => AuthPayload, { description: 'Signs in (or up) with a Google ID token.' })
  async signInWithGoogle(@Arg('idToken', () => String) idToken: string, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    return signedIn(ctx, await ctx.auth.signInWithProvider('google', idToken, null, ctx.viewer, ctx.acceptLanguage));
  }

  @Mutation(() => AuthPayload, { description: 'Signs in (or up) with an Apple identity token; `nickname` is used for a new account.' })
  async signInWithApple(
    @Arg('identityToken', () => String) identityToken: string,
    @Arg('nickname', () => String, { nullable: true }) nickname: string | null,
    @Ctx() ctx: UsersContext,
  ): Promise<AuthPayload> {
    return signedIn(ctx, await ctx.auth.signInWithProvider('apple', identityToken, nickname, ctx.viewer, ctx.acceptLanguage));
  }

  @Mutation(() => Boolean, { description: 'Ends the current session, server-side.' })
  async logOut(@Ctx() ctx: UsersContext): Promise<boolean> {
    ctx.sessionChange = await ctx.auth.logOut(ctx.viewer);
    return true;
  }
}
