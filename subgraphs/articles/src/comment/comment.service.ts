import { ObjectId } from 'mongodb';
import { type Identity, NotFoundError, connectionFromPage, pageSize, parseId, type Connection } from '@stagelives/schema';
import { cursorOf, parseCursor, requireOwner, type ArticleService } from '../article/article.service.js';
import type { ArticleRepository } from '../article/article.repository.js';
import { cleanRichText } from '../content/sanitize.js';
import type { CommentRepository } from './comment.repository.js';
import { Comment, type CommentDocument } from './comment.type.js';

export const COMMENT_LIMITS = { body: 2_000, bodyStored: 6_000 } as const;

export class CommentService {
  constructor(
    private readonly comments: CommentRepository,
    private readonly articleRepo: ArticleRepository,
    private readonly articles: ArticleService,
  ) {}

  /** Comments of an article, oldest first. */
  async list(articleId: string, first: number | null | undefined, after: string | null | undefined, totalCount: () => Promise<number>): Promise<Connection<Comment>> {
    const limit = pageSize(first);
    const cursor = parseCursor(after);
    const [docs, total] = await Promise.all([this.comments.page(new ObjectId(articleId), limit, cursor), totalCount()]);
    return connectionFromPage(docs, { limit, after, totalCount: total, edge: (doc) => ({ cursor: cursorOf(doc.createdAt, doc._id), node: Comment.from(doc) }) });
  }

  async add(viewer: Identity, articleId: string, body: string): Promise<CommentDocument> {
    const clean = cleanRichText(body, { field: 'body', max: COMMENT_LIMITS.body, maxStored: COMMENT_LIMITS.bodyStored });
    const now = new Date();
    const { result } = await this.articles.writeChild(
      articleId,
      'articleId',
      (article) => this.comments.insert({ articleId: article._id, authorId: parseId(viewer.userId, 'viewer'), body: clean.html, createdAt: now, updatedAt: now }),
      (_article, comment) => this.comments.delete(comment._id),
    );
    return result;
  }

  /** A comment whose article is visible, or NOT_FOUND. */
  private async require(id: string): Promise<CommentDocument> {
    const doc = await this.comments.findById(parseId(id, 'id'));
    const [article] = doc ? await this.articleRepo.findVisibleByIds([doc.articleId]) : [];
    if (!doc || !article) throw new NotFoundError('Comment', id);
    return doc;
  }

  async update(viewer: Identity, id: string, body: string): Promise<CommentDocument> {
    const doc = await this.require(id);
    requireOwner(viewer, doc.authorId, 'comment');
    const clean = cleanRichText(body, { field: 'body', max: COMMENT_LIMITS.body, maxStored: COMMENT_LIMITS.bodyStored });
    const updated = await this.comments.updateBody(doc._id, clean.html, new Date());
    if (!updated) throw new NotFoundError('Comment', id);
    return updated;
  }

  async delete(viewer: Identity, id: string): Promise<boolean> {
    const doc = await this.require(id);
    requireOwner(viewer, doc.authorId, 'comment');
    if (!(await this.comments.delete(doc._id))) throw new NotFoundError('Comment', id);
    return true;
  }
}
