import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { UsersContext } from '../context.js';
import { User } from '../user/user.type.js';
import { AuthPayload, SignUpInput } from './auth.type.js';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates an account and signs in.' })
  async signUp(@Arg('input', () => SignUpInput) input: SignUpInput, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    const { token, user } = await ctx.auth.signUp(input, ctx);
    return { sessionToken: token, user: User.from(user) };
  }

  @Mutation(() => AuthPayload, { description: 'Signs in with email and password; always starts a new session.' })
  async logIn(
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
    @Ctx() ctx: UsersContext,
  ): Promise<AuthPayload> {
    const { token, user } = await ctx.auth.logIn(email, password, ctx);
    return { sessionToken: token, user: User.from(user) };
  }

  @Mutation(() => AuthPayload, { description: 'Signs in (or up) with a Google ID token.' })
  async signInWithGoogle(@Arg('idToken', () => String) idToken: string, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    const { token, user } = await ctx.auth.signInWithProvider('google', idToken, null, ctx);
    return { sessionToken: token, user: User.from(user) };
  }

  @Mutation(() => AuthPayload, { description: 'Signs in (or up) with an Apple identity token; `nickname` is used for a new account.' })
  async signInWithApple(
    @Arg('identityToken', () => String) identityToken: string,
    @Arg('nickname', () => String, { nullable: true }) nickname: string | null,
    @Ctx() ctx: UsersContext,
  ): Promise<AuthPayload> {
    const { token, user } = await ctx.auth.signInWithProvider('apple', identityToken, nickname, ctx);
    return { sessionToken: token, user: User.from(user) };
  }

  @Mutation(() => Boolean, { description: 'Ends the current session, server-side.' })
  logOut(@Ctx() ctx: UsersContext): Promise<boolean> {
    return ctx.auth.logOut(ctx);
  }
}
