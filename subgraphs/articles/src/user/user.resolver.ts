import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { ArticleConnection } from '../article/article.type.js';
import type { ArticlesContext } from '../context.js';
import { UserRef } from './user.ref.js';

@Resolver(() => UserRef)
export class UserRefResolver {
  @FieldResolver(() => ArticleConnection, { description: 'Most recently bookmarked first. Only the user themself may read them.' })
  bookmarkedArticles(
    @Root() user: UserRef,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ArticlesContext,
  ): Promise<ArticleConnection> {
    return ctx.articles.bookmarks(requireViewer(ctx), user.id, first, after, (ids) => ctx.loaders.article.loadMany(ids).then((r) => r.map((d) => (d instanceof Error ? null : d))));
  }
}
