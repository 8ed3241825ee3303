import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireAdmin, tryParseId } from '@stagelives/schema';
import type { ConcertsContext } from '../context.js';
import { UserRef } from '../user/user.ref.js';
import { ConcertFilter, CreateConcertInput } from './concert.input.js';
import { Concert, ConcertConnection } from './concert.type.js';

@Resolver(() => Concert)
export class ConcertResolver {
  @Query(() => ConcertConnection, { description: 'Concerts by start time, earliest first.' })
  concerts(
    @Arg('filter', () => ConcertFilter, { nullable: true }) filter: ConcertFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ConcertsContext,
  ): Promise<ConcertConnection> {
    return ctx.concerts.list(filter, first, after);
  }

  @Query(() => Concert, { nullable: true })
  async concert(@Arg('id', () => ID) id: string, @Ctx() ctx: ConcertsContext): Promise<Concert | null> {
    if (!tryParseId(id)) return null;
    const doc = await ctx.loaders.concert.load(id);
    return doc ? Concert.from(doc) : null;
  }

  @Mutation(() => Concert, { description: 'Admins only.' })
  async createConcert(@Arg('input', () => CreateConcertInput) input: CreateConcertInput, @Ctx() ctx: ConcertsContext): Promise<Concert> {
    const admin = requireAdmin(ctx);
    return Concert.from(await ctx.concerts.create(input, admin.userId));
  }

  @FieldResolver(() => UserRef, { description: 'The admin who created the concert.' })
  createdBy(@Root() concert: Concert): UserRef {
    return UserRef.of(concert.createdById);
  }
}

export const concertReferenceResolver = {
  Concert: {
    __resolveReference: async (ref: { id: string }, ctx: ConcertsContext) => {
      const doc = await ctx.loaders.concert.load(ref.id);
      return doc ? Concert.from(doc) : null;
    },
  },
};
