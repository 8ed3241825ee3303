import {
  type Connection,
  type Identity,
  NotFoundError,
  connectionFromPage,
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  isObjectIdHex,
  pageSize,
  parseId,
} from '@stagelives/schema';
import { ObjectId } from 'mongodb';
import type { AuditTrail } from '@stagelives/platform';
import { requireSelfOrAdmin } from '@stagelives/platform/subgraph';
import type { ArticleDeletionService } from '../article/article-deletion.service.js';
import type { ArticleLoaders } from '../article/article.loader.js';
import { cleanRichText } from '../content/sanitize.js';
import { actsAsStaff, isHidden } from '../content/visibility.js';
import type { ArticlesRepositories } from '../repositories.js';
import { Comment, type CommentDocument } from './comment.type.js';

const COMMENT_LIMITS = { body: 2_000, bodyStored: 6_000 } as const;

/** Comments of articles. One per request. */
export class CommentService {
  constructor(
    private readonly repos: ArticlesRepositories,
    private readonly loaders: ArticleLoaders,
    private readonly deletion: ArticleDeletionService,
    private readonly audit: AuditTrail,
  ) {}

  /** Comments of an article, oldest first; `totalCount` is the article's (batched) comment count. */
  async list(articleId: string, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Comment>> {
    const limit = pageSize(first);
    const from = after ? decodeTimeIdCursor(after) : null;
    const [docs, totalCount] = await Promise.all([
      this.repos.comments.page({ articleId: parseId(articleId), viewerId: this.loaders.viewerObjectId }, limit, from && { value: from.time, id: from.id }),
      this.loaders.commentCount.load(articleId),
    ]);
    return connectionFromPage(docs, {
      limit,
      after,
      totalCount,
      edge: (doc) => ({ cursor: encodeTimeIdCursor(doc.createdAt, doc._id), node: Comment.from(doc) }),
    });
  }

  /** Signed in; the article must be visible (and stay so: see ArticleDeletionService.writeChild). */
  async add(viewer: Identity, articleId: string, body: string): Promise<CommentDocument> {
    const clean = cleanRichText(body, { field: 'body', max: COMMENT_LIMITS.body, maxStored: COMMENT_LIMITS.bodyStored });
    const now = new Date();
    const { result } = await this.deletion.writeChild(
      articleId,
      'articleId',
      (article) =>
        this.repos.comments.insert({ articleId: article._id, authorId: parseId(viewer.userId, 'viewer'), body: clean.html, createdAt: now, updatedAt: now }),
      (_article, comment) => this.repos.comments.delete(comment._id),
    );
    this.loaders.forgetComments(articleId);
    return result;
  }

  /** The comment's author or an admin. */
  async update(viewer: Identity, id: string, body: string): Promise<CommentDocument> {
    const doc = await this.require(id);
    requireSelfOrAdmin(viewer, doc.authorId.toHexString(), 'Only the author or an admin can change this comment.');
    const clean = cleanRichText(body, { field: 'body', max: COMMENT_LIMITS.body, maxStored: COMMENT_LIMITS.bodyStored });
    const at = new Date();
    // An admin editing someone else's comment: a staff action, through the audit trail.
    const updated = actsAsStaff(viewer.userId, doc.authorId)
      ? await this.audit.record<CommentDocument | null>(
          { actorId: viewer.userId, action: 'COMMENT_UPDATED', targetType: 'COMMENT', targetId: id, details: { authorId: doc.authorId.toHexString() } },
          { id: doc._id, body: clean.html, at },
        )
      : await this.repos.comments.updateBody(doc._id, clean.html, at);
    if (!updated) throw new NotFoundError('Comment', id);
    return updated;
  }

  /** The comment's author or an admin. */
  async delete(viewer: Identity, id: string): Promise<boolean> {
    const doc = await this.require(id);
    requireSelfOrAdmin(viewer, doc.authorId.toHexString(), 'Only the author or an admin can change this comment.');
    if (actsAsStaff(viewer.userId, doc.authorId)) {
      await this.audit.record(
        { actorId: viewer.userId, action: 'COMMENT_DELETED', targetType: 'COMMENT', targetId: id, details: { authorId: doc.authorId.toHexString() } },
        { id: doc._id },
      );
    } else if (!(await this.repos.comments.delete(doc._id))) throw new NotFoundError('Comment', id);
    this.loaders.forgetComments(doc.articleId.toHexString());
    return true;
  }

  /**
   * A comment as another subgraph may reference it (the moderation subgraph, checking a report):
   * null when missing, malformed, hidden by staff (for every viewer, like an article's reference)
   * or on an article the viewer cannot see.
   */
  async referenced(id: string): Promise<CommentDocument | null> {
    if (!isObjectIdHex(id)) return null;
    const doc = await this.repos.comments.findById(new ObjectId(id));
    if (!doc || isHidden(doc)) return null;
    const article = await this.loaders.article.load(doc.articleId.toHexString());
    return article && !isHidden(article) ? doc : null;
  }

  /** A comment the viewer may act on (not hidden from them, nor its article), or NOT_FOUND. */
  private async require(id: string): Promise<CommentDocument> {
    const doc = await this.repos.comments.findById(parseId(id, 'id'));
    const article = doc && this.deletion.mayActOn(doc) ? await this.repos.articles.findById(doc.articleId) : null;
    if (!doc || !article || !this.deletion.mayActOn(article)) throw new NotFoundError('Comment', id);
    return doc;
  }
}
