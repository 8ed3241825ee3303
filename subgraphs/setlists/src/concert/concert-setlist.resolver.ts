import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { SetlistsContext } from '../context.js';
import { Setlist } from '../setlist/setlist.type.js';
import { ConcertReference } from './concert.reference.js';

/** `Concert.setlist`, a field this subgraph adds to the concerts subgraph's Concert. */
@Resolver(() => ConcertReference)
export class ConcertSetlistResolver {
  @FieldResolver(() => Setlist, { nullable: true, description: 'The setlist, once an admin has published one.' })
  async setlist(@Root() concert: ConcertReference, @Ctx() ctx: SetlistsContext): Promise<Setlist | null> {
    const doc = await ctx.loaders.setlistByConcert.load(concert.id);
    return doc ? Setlist.from(doc) : null;
  }
}
