import type DataLoader from 'dataloader';
import type { ObjectId } from 'mongodb';
import { tryParseId } from '@stagelives/schema';
import { createByIdLoader, createCountLoader, createViewerFlagLoader } from '@stagelives/platform/subgraph';
import { visibleTo } from '../content/visibility.js';
import type { ArticlesRepositories } from '../repositories.js';
import type { ConcertFirstPage } from './article.repository.js';
import type { ArticleDocument } from './article.type.js';

/**
 * Per-request loaders: one command per kind per tick, however many articles (or concerts) a
 * response holds. Keys are hex ids; ids that cannot exist are answered without a query.
 * Services get them in their constructor and forget what they change. Hidden articles and
 * comments count and load only for their author (the viewer of the request).
 */
export class ArticleLoaders {
  /** The viewer, as stored ids are: their own hidden content is read with the rest. */
  readonly viewerObjectId: ObjectId | null;
  /** Visible articles by id (null when missing, being deleted, or hidden from this viewer). */
  readonly article: DataLoader<string, ArticleDocument | null>;
  readonly likeCount: DataLoader<string, number>;
  readonly commentCount: DataLoader<string, number>;
  /** False for anonymous viewers, with no query. */
  readonly viewerHasLiked: DataLoader<string, boolean>;
  readonly viewerHasBookmarked: DataLoader<string, boolean>;
  /** Visible articles per concert: one `$group` for every concert of the batch. */
  readonly concertArticleCount: DataLoader<string, number>;
  private readonly firstPages = new Map<number, DataLoader<string, ConcertFirstPage | null>>();

  constructor(
    private readonly repos: ArticlesRepositories,
    readonly viewerId: string | null,
  ) {
    const viewer = (this.viewerObjectId = tryParseId(viewerId));
    this.article = createByIdLoader(
      async (ids) => (await repos.articles.findByIds(ids)).filter((doc) => visibleTo(doc, viewerId)),
      (doc) => doc._id,
    );
    this.likeCount = createCountLoader((ids) => repos.likes.countByParents(ids));
    this.commentCount = createCountLoader((ids) => repos.comments.countByParents(ids, viewer));
    this.viewerHasLiked = createViewerFlagLoader(viewerId, (viewer, ids) => repos.likes.parentsAmong(viewer, ids));
    this.viewerHasBookmarked = createViewerFlagLoader(viewerId, (viewer, ids) => repos.bookmarks.parentsAmong(viewer, ids));
    this.concertArticleCount = createCountLoader((ids) => repos.articles.countByConcerts(ids, viewer));
  }

  /** The first page of `limit` articles (and the count) of each concert: two commands per batch, one loader per page size. */
  concertFirstPage(limit: number): DataLoader<string, ConcertFirstPage | null> {
    let loader = this.firstPages.get(limit);
    if (!loader) {
      loader = createByIdLoader(
        (ids) => this.repos.articles.firstPagesByConcerts(ids, limit, this.viewerObjectId),
        (page) => page.concertId,
      );
      this.firstPages.set(limit, loader);
    }
    return loader;
  }

  /** Forgets what this request loaded about an article (and the concert lists it may be in) after a change. */
  forgetArticle(id: string): void {
    for (const loader of [this.article, this.likeCount, this.commentCount, this.viewerHasLiked, this.viewerHasBookmarked] as Array<
      DataLoader<string, unknown>
    >) {
      loader.clear(id);
    }
    this.concertArticleCount.clearAll();
    for (const loader of this.firstPages.values()) loader.clearAll();
  }

  /** Forgets an article's comment count after a comment was added or removed. */
  forgetComments(articleId: string): void {
    this.commentCount.clear(articleId);
  }
}
