import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { Paged, RateLimit, ViewerDependence, ViewerDependent } from '@stagelives/schema';
import { CommentConnection } from '../comment/comment.type.js';
import { ConcertReference } from '../concert/concert.reference.js';
import { ViewerDependentPublicList } from '../content/viewer-dependent.js';
import type { ArticlesContext } from '../context.js';
import { UserReference } from '../user/user.reference.js';
import { ArticleFilter, CreateArticleInput, UpdateArticleInput } from './article.input.js';
import { Article, ArticleConnection } from './article.type.js';

@Resolver(() => Article)
export class ArticleResolver {
  @Paged()
  @Query(() => ArticleConnection, { description: 'Articles, newest first. Hidden articles only for their author.' })
  @ViewerDependentPublicList()
  articles(
    @Arg('filter', () => ArticleFilter, { nullable: true }) filter: ArticleFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ArticlesContext,
  ): Promise<ArticleConnection> {
    return ctx.articles.list(filter, first, after);
  }

  @Query(() => Article, { nullable: true, description: 'Null when missing, or hidden by staff (except for its author).' })
  @ViewerDependent(ViewerDependence.VIEWER)
  async article(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<Article | null> {
    const doc = await ctx.articles.get(id);
    return doc ? Article.from(doc) : null;
  }

  @Mutation(() => Article)
  async createArticle(@Arg('input', () => CreateArticleInput) input: CreateArticleInput, @Ctx() ctx: ArticlesContext): Promise<Article> {
    return Article.from(await ctx.articles.create(requireViewer(ctx), input));
  }

  @Mutation(() => Article, { description: 'The author or an admin.' })
  async updateArticle(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateArticleInput) input: UpdateArticleInput,
    @Ctx() ctx: ArticlesContext,
  ): Promise<Article> {
    return Article.from(await ctx.articles.update(requireViewer(ctx), id, input));
  }

  @Mutation(() => Boolean, { description: 'The author or an admin. Removes the comments, likes and bookmarks too.' })
  deleteArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<boolean> {
    return ctx.articleDeletion.delete(requireViewer(ctx), id);
  }

  @Mutation(() => Article, { description: 'Idempotent.' })
  @RateLimit(60, 60)
  async likeArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<Article> {
    return Article.from(await ctx.reactions.like(requireViewer(ctx), id));
  }

  @Mutation(() => Article, { description: 'Idempotent.' })
  @RateLimit(60, 60)
  async unlikeArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<Article> {
    return Article.from(await ctx.reactions.unlike(requireViewer(ctx), id));
  }

  @Mutation(() => Article, { description: 'Idempotent.' })
  @RateLimit(60, 60)
  async bookmarkArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<Article> {
    return Article.from(await ctx.reactions.bookmark(requireViewer(ctx), id));
  }

  @Mutation(() => Article, { description: 'Idempotent.' })
  @RateLimit(60, 60)
  async unbookmarkArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<Article> {
    return Article.from(await ctx.reactions.unbookmark(requireViewer(ctx), id));
  }

  @FieldResolver(() => UserReference)
  author(@Root() article: Article): UserReference {
    return UserReference.of(article.authorId);
  }

  @FieldResolver(() => ConcertReference, { nullable: true })
  concert(@Root() article: Article): ConcertReference | null {
    return article.concertId ? ConcertReference.of(article.concertId) : null;
  }

  @FieldResolver(() => Int)
  likeCount(@Root() article: Article, @Ctx() ctx: ArticlesContext): Promise<number> {
    return ctx.loaders.likeCount.load(article.id);
  }

  @FieldResolver(() => Int, { description: 'Comments the viewer sees: hidden ones count only for their author.' })
  @ViewerDependent(ViewerDependence.VIEWER)
  commentCount(@Root() article: Article, @Ctx() ctx: ArticlesContext): Promise<number> {
    return ctx.loaders.commentCount.load(article.id);
  }

  @FieldResolver(() => Boolean, { description: 'False for anonymous viewers.' })
  @ViewerDependent(ViewerDependence.VIEWER)
  viewerHasLiked(@Root() article: Article, @Ctx() ctx: ArticlesContext): Promise<boolean> {
    return ctx.loaders.viewerHasLiked.load(article.id);
  }

  @FieldResolver(() => Boolean, { description: 'False for anonymous viewers.' })
  @ViewerDependent(ViewerDependence.VIEWER)
  viewerHasBookmarked(@Root() article: Article, @Ctx() ctx: ArticlesContext): Promise<boolean> {
    return ctx.loaders.viewerHasBookmarked.load(article.id);
  }

  @Paged()
  @FieldResolver(() => CommentConnection, { description: 'Oldest first. Hidden comments only for their author.' })
  @ViewerDependent(ViewerDependence.VIEWER)
  comments(
    @Root() article: Article,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ArticlesContext,
  ): Promise<CommentConnection> {
    return ctx.comments.list(article.id, first, after);
  }
}
