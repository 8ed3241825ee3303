import type { UserLinkRepository } from '@stagelives/platform';
import {
  type Connection,
  type Identity,
  ForbiddenError,
  connectionFromPage,
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  pageSize,
  parseId,
} from '@stagelives/schema';
import type { ArticleDeletionService } from '../article/article-deletion.service.js';
import type { ArticleLoaders } from '../article/article.loader.js';
import { Article, type ArticleDocument } from '../article/article.type.js';
import type { ArticlesRepositories } from '../repositories.js';

/** Likes and bookmarks: one document per (article, user), idempotent both ways. One per request. */
export class ReactionService {
  constructor(
    private readonly repos: ArticlesRepositories,
    private readonly loaders: ArticleLoaders,
    private readonly deletion: ArticleDeletionService,
  ) {}

  like(viewer: Identity, id: string): Promise<ArticleDocument> {
    return this.set(this.repos.likes, viewer, id, true);
  }

  unlike(viewer: Identity, id: string): Promise<ArticleDocument> {
    return this.set(this.repos.likes, viewer, id, false);
  }

  bookmark(viewer: Identity, id: string): Promise<ArticleDocument> {
    return this.set(this.repos.bookmarks, viewer, id, true);
  }

  unbookmark(viewer: Identity, id: string): Promise<ArticleDocument> {
    return this.set(this.repos.bookmarks, viewer, id, false);
  }

  /**
   * A user's bookmarks, most recently bookmarked first; only the user themself may read them.
   * Bookmarks of an article whose delete is in progress (or was interrupted), or hidden by staff
   * (unless the user wrote it), are left out of the page and the count.
   */
  async bookmarkedArticles(viewer: Identity, userId: string, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Article>> {
    if (viewer.userId !== userId) throw new ForbiddenError('Bookmarks are private.');
    const limit = pageSize(first);
    const user = parseId(userId, 'id');
    const from = after ? decodeTimeIdCursor(after) : null;
    const [deleted, hiddenFromViewer] = await Promise.all([this.repos.articles.deletedIds(), this.repos.articles.hiddenIdsNotBy(user)]);
    const hidden = [...deleted, ...hiddenFromViewer];
    const [marks, totalCount] = await Promise.all([
      this.repos.bookmarks.pageForUser(user, limit, from && { value: from.time, id: from.id }, hidden),
      this.repos.bookmarks.countForUser(user, hidden),
    ]);
    const docs = await this.loaders.article.loadMany(marks.slice(0, limit).map((m) => m.parentId.toHexString()));
    const byId = new Map(docs.flatMap((d) => (d && !(d instanceof Error) ? [[d._id.toHexString(), d] as const] : [])));
    return connectionFromPage(marks, {
      limit,
      after,
      totalCount,
      // An article can still vanish between the two reads: its edge is dropped, and the end
      // cursor stays the last bookmark read so the next page continues after it.
      edge: (mark) => {
        const doc = byId.get(mark.parentId.toHexString());
        return doc ? { cursor: encodeTimeIdCursor(mark.createdAt, mark._id), node: Article.from(doc) } : null;
      },
      cursor: (mark) => encodeTimeIdCursor(mark.createdAt, mark._id),
    });
  }

  /** Adds or removes the viewer's link to a visible article; returns the article. */
  private async set(links: UserLinkRepository, viewer: Identity, id: string, on: boolean): Promise<ArticleDocument> {
    const user = parseId(viewer.userId, 'viewer');
    let article: ArticleDocument;
    if (on) {
      ({ article } = await this.deletion.writeChild(
        id,
        'id',
        (a) => links.add(a._id, user),
        (a, added) => (added ? links.remove(a._id, user) : Promise.resolve()),
      ));
    } else {
      article = await this.deletion.require(id);
      await links.remove(article._id, user);
    }
    this.loaders.forgetArticle(id);
    return article;
  }
}
