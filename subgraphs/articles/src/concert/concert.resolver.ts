import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { ArticleConnection } from '../article/article.type.js';
import type { ArticlesContext } from '../context.js';
import { ConcertRef } from './concert.ref.js';

@Resolver(() => ConcertRef)
export class ConcertRefResolver {
  @FieldResolver(() => ArticleConnection, { description: 'Articles about this concert, newest first.' })
  articles(
    @Root() concert: ConcertRef,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ArticlesContext,
  ): Promise<ArticleConnection> {
    return ctx.articles.list({ concertId: concert.id }, first, after);
  }
}
