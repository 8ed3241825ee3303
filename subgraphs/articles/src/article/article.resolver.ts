import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { tryParseId } from '@stagelives/schema';
import { CommentConnection } from '../comment/comment.type.js';
import { ConcertRef } from '../concert/concert.ref.js';
import type { ArticlesContext } from '../context.js';
import { UserRef } from '../user/user.ref.js';
import { ArticleFilter, CreateArticleInput, UpdateArticleInput } from './article.input.js';
import { forgetArticle } from './article.loader.js';
import { Article, ArticleConnection, type ArticleDocument } from './article.type.js';

/** Returns an article a mutation changed, with what this request loaded about it forgotten. */
function changed(ctx: ArticlesContext, doc: ArticleDocument): Article {
  const article = Article.from(doc);
  forgetArticle(ctx.loaders, article.id);
  return article;
}

@Resolver(() => Article)
export class ArticleResolver {
  @Query(() => ArticleConnection, { description: 'Articles, newest first.' })
  articles(
    @Arg('filter', () => ArticleFilter, { nullable: true }) filter: ArticleFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ArticlesContext,
  ): Promise<ArticleConnection> {
    return ctx.articles.list(filter, first, after);
  }

  @Query(() => Article, { nullable: true })
  async article(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<Article | null> {
    if (!tryParseId(id)) return null;
    const doc = await ctx.loaders.article.load(id);
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
    return changed(ctx, await ctx.articles.update(requireViewer(ctx), id, input));
  }

  @Mutation(() => Boolean, { description: 'The author or an admin. Removes the comments, likes and bookmarks too.' })
  async deleteArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<boolean> {
    const done = await ctx.articles.delete(requireViewer(ctx), id);
    ctx.loaders.article.clear(id);
    return done;
  }

  @Mutation(() => Article, { description: 'Idempotent.' })
  async likeArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<Article> {
    return changed(ctx, await ctx.articles.react(requireViewer(ctx), 'likes', id, true));
  }

  @Mutation(() => Article, { description: 'Idempotent.' })
  async unlikeArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<Article> {
    return changed(ctx, await ctx.articles.react(requireViewer(ctx), 'likes', id, false));
  }

  @Mutation(() => Article, { description: 'Idempotent.' })
  async bookmarkArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<Article> {
    return changed(ctx, await ctx.articles.react(requireViewer(ctx), 'bookmarks', id, true));
  }

  @Mutation(() => Article, { description: 'Idempotent.' })
  async unbookmarkArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<Article> {
    return changed(ctx, await ctx.articles.react(requireViewer(ctx), 'bookmarks', id, false));
  }

  @FieldResolver(() => UserRef)
  author(@Root() article: Article): UserRef {
    return UserRef.of(article.authorId);
  }

  @FieldResolver(() => ConcertRef, { nullable: true })
  concert(@Root() article: Article): ConcertRef | null {
    return article.concertId ? ConcertRef.of(article.concertId) : null;
  }

  @FieldResolver(() => Int)
  likeCount(@Root() article: Article, @Ctx() ctx: ArticlesContext): Promise<number> {
    return ctx.loaders.likeCount.load(article.id);
  }

  @FieldResolver(() => Int)
  commentCount(@Root() article: Article, @Ctx() ctx: ArticlesContext): Promise<number> {
    return ctx.loaders.commentCount.load(article.id);
  }

  @FieldResolver(() => Boolean, { description: 'False for anonymous viewers.' })
  viewerHasLiked(@Root() article: Article, @Ctx() ctx: ArticlesContext): Promise<boolean> {
    return ctx.loaders.viewerHasLiked.load(article.id);
  }

  @FieldResolver(() => Boolean, { description: 'False for anonymous viewers.' })
  viewerHasBookmarked(@Root() article: Article, @Ctx() ctx: ArticlesContext): Promise<boolean> {
    return ctx.loaders.viewerHasBookmarked.load(article.id);
  }

  @FieldResolver(() => CommentConnection, { description: 'Oldest first.' })
  comments(
    @Root() article: Article,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ArticlesContext,
  ): Promise<CommentConnection> {
    return ctx.comments.list(article.id, first, after, () => ctx.loaders.commentCount.load(article.id));
  }
}

export const articleReferenceResolver = {
  Article: {
    __resolveReference: async (ref: { id: string }, ctx: ArticlesContext) => {
      const doc = await ctx.loaders.article.load(ref.id);
      return doc ? Article.from(doc) : null;
    },
  },
};
