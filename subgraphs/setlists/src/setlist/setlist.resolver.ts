import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { SetlistsContext } from '../context.js';
import { ConcertRef } from '../concert/concert.ref.js';
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

  @FieldResolver(() => ConcertRef)
  concert(@Root() setlist: Setlist): ConcertRef {
    return ConcertRef.of(setlist.concertId);
  }
}

@Resolver(() => ConcertRef)
export class ConcertSetlistResolver {
  @FieldResolver(() => Setlist, { nullable: true, description: 'The setlist, once an admin has published one.' })
  async setlist(@Root() concert: ConcertRef, @Ctx() ctx: SetlistsContext): Promise<Setlist | null> {
    const doc = await ctx.loaders.setlistByConcert.load(concert.id);
    return doc ? Setlist.from(doc) : null;
  }
}
