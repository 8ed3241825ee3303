import type { ObjectId } from 'mongodb';
import { type Identity, NotFoundError, parseId } from '@stagelives/schema';
import type { AuditTrail, Logger } from '@stagelives/platform';
import { isStaffMember, requireSelfOrAdmin } from '@stagelives/platform/subgraph';
import { actsAsStaff, type Moderated, visibleTo } from '../content/visibility.js';
import type { ArticlesRepositories } from '../repositories.js';
import type { ArticleLoaders } from './article.loader.js';
import type { ArticleDocument } from './article.type.js';

/**
 * Deleting an article without transactions (docs/articles.md): `deletedAt` hides it in one
 * atomic update, then its comments, likes and bookmarks go, then the article. Every step is
 * idempotent. Also the guard every write of a child document (comment, like, bookmark) goes
 * through, so nothing is left behind a concurrent delete.
 */
export class ArticleDeletionService {
  constructor(
    private readonly repos: ArticlesRepositories,
    private readonly loaders: ArticleLoaders,
    private readonly viewer: Identity | null,
    private readonly audit: AuditTrail,
  ) {}

  /** Hidden content is acted on (edited, deleted, liked, commented) only by its author and staff; others do not see it. */
  mayActOn(doc: Moderated): boolean {
    return visibleTo(doc, this.viewer?.userId ?? null) || isStaffMember(this.viewer);
  }

  /** A visible article, read now (not from the request's cache), or NOT_FOUND (also when hidden from the viewer). */
  async require(id: string, field = 'id'): Promise<ArticleDocument> {
    const doc = await this.repos.articles.findById(parseId(id, field));
    if (!doc || !this.mayActOn(doc)) throw new NotFoundError('Article', id);
    return doc;
  }

  /** The author or an admin; the article is invisible from the first step on. */
  async delete(viewer: Identity, id: string): Promise<boolean> {
    const doc = await this.require(id);
    requireSelfOrAdmin(viewer, doc.authorId.toHexString(), 'Only the author or an admin can change this article.');
    if (actsAsStaff(viewer.userId, doc.authorId)) {
      // An admin deleting someone else's article: a staff action, through the audit trail.
      await this.audit.record(
        {
          actorId: viewer.userId,
          action: 'ARTICLE_DELETED',
          targetType: 'ARTICLE',
          targetId: id,
          details: { authorId: doc.authorId.toHexString(), title: doc.title },
        },
        { id: doc._id },
      );
      this.loaders.forgetArticle(id);
      return true;
    }
    if (!(await this.repos.articles.markDeleted(doc._id))) throw new NotFoundError('Article', id);
    this.loaders.forgetArticle(id);
    await deleteMarkedArticle(this.repos, doc._id);
    return true;
  }

  /**
   * Writes a child document (comment, like, bookmark) of a visible article. If the article's
   * delete started meanwhile, the cascade may have run before the write landed: undo it.
   */
  async writeChild<T>(
    articleId: string,
    field: string,
    write: (article: ArticleDocument) => Promise<T>,
    undo: (article: ArticleDocument, result: T) => Promise<unknown>,
  ): Promise<{ article: ArticleDocument; result: T }> {
    const article = await this.require(articleId, field);
    const result = await write(article);
    const still = await this.repos.articles.findById(article._id);
    if (!still) {
      await undo(article, result);
      throw new NotFoundError('Article', articleId);
    }
    return { article: still, result };
  }
}

/** Steps 2 and 3 of a delete, for an article already marked. */
export async function deleteMarkedArticle(repos: ArticlesRepositories, id: ObjectId): Promise<void> {
  await Promise.all([repos.comments.deleteByArticle(id), repos.likes.deleteByParent(id), repos.bookmarks.deleteByParent(id)]);
  await repos.articles.removeDeleted(id);
}

/** Completes deletes interrupted by a crash (run when a server starts). Returns how many it finished. */
export async function finishDeletes(repos: ArticlesRepositories, logger: Logger): Promise<number> {
  const ids = await repos.articles.deletedIds();
  for (const id of ids) await deleteMarkedArticle(repos, id);
  if (ids.length) logger.info({ count: ids.length }, 'finished interrupted article deletes');
  return ids.length;
}
