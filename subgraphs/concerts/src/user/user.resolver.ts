import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { ForbiddenError } from '@stagelives/schema';
import { hasRole, requireViewer } from '@stagelives/platform/subgraph';
import type { ConcertsContext } from '../context.js';
import { Concert, ConcertConnection } from '../concert/concert.type.js';
import { UserRef } from './user.ref.js';

@Resolver(() => UserRef)
export class UserLikesResolver {
  @FieldResolver(() => ConcertConnection, { description: 'Concerts the user likes, most recently liked first. Only the user and admins see it.' })
  async likedConcerts(
    @Root() user: UserRef,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ConcertsContext,
  ): Promise<ConcertConnection> {
    const viewer = requireViewer(ctx);
    if (viewer.userId !== user.id && !hasRole(viewer, 'ADMIN')) throw new ForbiddenError('Only you can see the concerts you like.');
    const page = await ctx.likes.likedConcertIds(user.id, first, after);
    const now = new Date();
    const docs = await ctx.loaders.concert.loadMany(page.edges.map((e) => e.node));
    const edges = page.edges.flatMap((edge, i) => {
      const doc = docs[i];
      return doc && !(doc instanceof Error) ? [{ cursor: edge.cursor, node: Concert.from(doc, now) }] : [];
    });
    return { ...page, edges };
  }
}
