import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { Paged, ViewerDependence, ViewerDependent } from '@stagelives/schema';
import type { ConcertsContext } from '../context.js';
import { Concert, ConcertConnection } from '../concert/concert.type.js';
import { UserReference } from './user.reference.js';

/** `User.likedConcerts`, a field this subgraph adds to the users subgraph's User. */
@Resolver(() => UserReference)
export class UserLikedConcertsResolver {
  @Paged()
  @FieldResolver(() => ConcertConnection, { description: 'Concerts the user likes, most recently liked first. Only the user and admins see it.' })
  @ViewerDependent(ViewerDependence.OWNER)
  async likedConcerts(
    @Root() user: UserReference,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ConcertsContext,
  ): Promise<ConcertConnection> {
    const page = await ctx.likes.likedConcerts(requireViewer(ctx), user.id, first, after);
    const now = new Date();
    return { ...page, edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: Concert.from(edge.node, now) })) };
  }
}
