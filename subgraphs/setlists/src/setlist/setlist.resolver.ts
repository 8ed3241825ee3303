import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { SetlistsContext } from '../context.js';
import { ConcertReference } from '../concert/concert.reference.js';
import { SetlistInput } from './setlist.input.js';
import { Setlist } from './setlist.type.js';

@Resolver(() => Setlist)
export class SetlistResolver {
  @Mutation(() => Setlist, { description: 'Admins only. Replaces the concert’s setlist; playlist links are normalised.' })
  async upsertSetlist(
    @Arg('concertId', () => ID) concertId: string,
    @Arg('input', () => SetlistInput) input: SetlistInput,
    @Ctx() ctx: SetlistsContext,
  ): Promise<Setlist> {
    return Setlist.from(await ctx.setlists.upsert(concertId, input));
  }

  @Mutation(() => Boolean, { description: 'Admins only. Idempotent: false when the concert had no setlist.' })
  deleteSetlist(@Arg('concertId', () => ID) concertId: string, @Ctx() ctx: SetlistsContext): Promise<boolean> {
    return ctx.setlists.delete(concertId);
  }

  @FieldResolver(() => ConcertReference)
  concert(@Root() setlist: Setlist): ConcertReference {
    return ConcertReference.of(setlist.concertId);
  }
}
