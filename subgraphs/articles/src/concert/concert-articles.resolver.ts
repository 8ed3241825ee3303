import { Arg, Ctx, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { ArticleConnection } from '../article/article.type.js';
import type { ArticlesContext } from '../context.js';
import { ConcertReference } from './concert.reference.js';
import { Paged, ViewerDependence, ViewerDependent } from '@stagelives/schema';

@Resolver(() => ConcertReference)
export class ConcertArticlesResolver {
  @Paged()
  @FieldResolver(() => ArticleConnection, { description: 'Articles about this concert, newest first. Hidden articles only for their author.' })
  @ViewerDependent(ViewerDependence.VIEWER)
  articles(
    @Root() concert: ConcertReference,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ArticlesContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ArticleConnection> {
    return ctx.articles.ofConcert(concert.id, first, after, { page: selectsAny(info, ['edges', 'pageInfo']) });
  }
}

/**
 * Whether the field's selection asks for any of `names` (through fragments; `@skip`/`@include`
 * are not evaluated, so a conditional field counts as selected).
 */
function selectsAny(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((selection) => {
      if (selection.kind === 'Field') return names.includes(selection.name.value);
      if (selection.kind === 'InlineFragment') return visit(selection.selectionSet);
      if (seen.has(selection.name.value)) return false;
      seen.add(selection.name.value);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
