import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { RateLimit, ViewerDependence, ViewerDependent } from '@stagelives/schema';
import { Article } from '../article/article.type.js';
import type { ArticlesContext } from '../context.js';
import { UserReference } from '../user/user.reference.js';
import { Comment } from './comment.type.js';

@Resolver(() => Comment)
export class CommentResolver {
  @Mutation(() => Comment, { description: 'HTML is sanitised like Article.body; at most 2,000 characters.' })
  @RateLimit(20, 60)
  async addComment(@Arg('articleId', () => ID) articleId: string, @Arg('body', () => String) body: string, @Ctx() ctx: ArticlesContext): Promise<Comment> {
    return Comment.from(await ctx.comments.add(requireViewer(ctx), articleId, body));
  }

  @Mutation(() => Comment, { description: 'The comment author or an admin.' })
  @RateLimit(30, 60)
  async updateComment(@Arg('id', () => ID) id: string, @Arg('body', () => String) body: string, @Ctx() ctx: ArticlesContext): Promise<Comment> {
    return Comment.from(await ctx.comments.update(requireViewer(ctx), id, body));
  }

  @Mutation(() => Boolean, { description: 'The comment author or an admin.' })
  deleteComment(@Arg('id', () => ID) id: string, @Ctx() ctx: ArticlesContext): Promise<boolean> {
    return ctx.comments.delete(requireViewer(ctx), id);
  }

  @FieldResolver(() => UserReference)
  author(@Root() comment: Comment): UserReference {
    return UserReference.of(comment.authorId);
  }

  @FieldResolver(() => Article, { nullable: true, description: 'Null once the article is deleted, or while it is hidden (except for its author).' })
  @ViewerDependent(ViewerDependence.VIEWER)
  async article(@Root() comment: Comment, @Ctx() ctx: ArticlesContext): Promise<Article | null> {
    const doc = await ctx.articles.get(comment.articleId);
    return doc ? Article.from(doc) : null;
  }
}
