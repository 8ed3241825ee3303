import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { Paged, ViewerDependence, ViewerDependent } from '@stagelives/schema';
import { ArticleConnection } from '../article/article.type.js';
import type { ArticlesContext } from '../context.js';
import { UserReference } from './user.reference.js';

@Resolver(() => UserReference)
export class UserBookmarkedArticlesResolver {
  @Paged()
  @FieldResolver(() => ArticleConnection, { description: 'Most recently bookmarked first. Only the user themself may read them.' })
  @ViewerDependent(ViewerDependence.OWNER)
  bookmarkedArticles(
    @Root() user: UserReference,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ArticlesContext,
  ): Promise<ArticleConnection> {
    return ctx.reactions.bookmarkedArticles(requireViewer(ctx), user.id, first, after);
  }
}
