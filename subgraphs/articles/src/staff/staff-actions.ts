import type { ObjectId } from 'mongodb';
import type { AuditTrail } from '@stagelives/platform';
import { deleteMarkedArticle } from '../article/article-deletion.service.js';
import type { ArticleDocument } from '../article/article.type.js';
import type { ArticlesRepositories } from '../repositories.js';

/**
 * The appliers of the staff actions of this domain: an admin editing or deleting someone else's
 * article or comment (ARTICLE_UPDATED, ARTICLE_DELETED, COMMENT_UPDATED, COMMENT_DELETED). The
 * services record those through the audit trail instead of writing directly; an author's own
 * edits are not staff actions and are not recorded. Idempotent: the same `$set` again, or a
 * delete of what is already gone, changes nothing more.
 */
export function registerStaffActions(audit: AuditTrail, repos: ArticlesRepositories): AuditTrail {
  return audit.register({
    ARTICLE_UPDATED: (c) => repos.articles.update(c.id as ObjectId, c.set as Partial<Omit<ArticleDocument, '_id'>>),
    ARTICLE_DELETED: async (c) => {
      await repos.articles.markDeleted(c.id as ObjectId);
      await deleteMarkedArticle(repos, c.id as ObjectId);
      return true;
    },
    COMMENT_UPDATED: (c) => repos.comments.updateBody(c.id as ObjectId, c.body as string, c.at as Date),
    COMMENT_DELETED: async (c) => {
      await repos.comments.delete(c.id as ObjectId);
      return true;
    },
  });
}
