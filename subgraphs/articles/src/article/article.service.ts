import {
  type Connection,
  type Identity,
  BadUserInputError,
  NotFoundError,
  connectionFromPage,
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  pageSize,
  parseId,
} from '@stagelives/schema';
import type { AuditTrail } from '@stagelives/platform';
import { requireSelfOrAdmin } from '@stagelives/platform/subgraph';
import { cleanPlainLine, cleanRichText, normalizeTag, normalizeTags } from '../content/sanitize.js';
import { actsAsStaff } from '../content/visibility.js';
import type { ArticlesRepositories } from '../repositories.js';
import type { ArticleDeletionService } from './article-deletion.service.js';
import type { ArticleFilter, CreateArticleInput, UpdateArticleInput } from './article.input.js';
import { ARTICLE_LIMITS, searchWords } from './article.limits.js';
import type { ArticleLoaders } from './article.loader.js';
import type { ArticleQuery } from './article.repository.js';
import { Article, type ArticleDocument } from './article.type.js';

const edgeOf = (doc: ArticleDocument) => ({ cursor: encodeTimeIdCursor(doc.createdAt, doc._id), node: Article.from(doc) });

/** Reading and writing articles (deleting them: ArticleDeletionService). One per request. */
export class ArticleService {
  constructor(
    private readonly repos: ArticlesRepositories,
    private readonly loaders: ArticleLoaders,
    private readonly deletion: ArticleDeletionService,
    private readonly audit: AuditTrail,
  ) {}

  /** Newest first; `totalCount` is exact for the filter. */
  async list(filter: ArticleFilter | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Article>> {
    const limit = pageSize(first);
    const query: ArticleQuery = { viewerId: this.loaders.viewerObjectId };
    if (filter?.concertId) query.concertId = parseId(filter.concertId, 'filter.concertId');
    if (filter?.authorId) query.authorId = parseId(filter.authorId, 'filter.authorId');
    if (filter?.tag?.trim()) query.tag = normalizeTag(filter.tag, 'filter.tag');
    if (filter?.search?.trim()) query.words = searchWords(filter.search);
    const from = after ? decodeTimeIdCursor(after) : null;
    const [docs, totalCount] = await Promise.all([
      this.repos.articles.page(query, limit, from && { value: from.time, id: from.id }),
      this.repos.articles.count(query),
    ]);
    return connectionFromPage(docs, { limit, after, totalCount, edge: edgeOf });
  }

  /**
   * A concert's articles, newest first: the article list filtered by concert, batched over
   * every concert of the request. The first page of all of them is one read (plus one of the
   * documents), a later page (`after`) one query per concert; `totalCount` alone is one
   * `$group` for all, with no page read (`page: false`: edges and pageInfo are not selected and
   * come back empty).
   */
  async ofConcert(
    concertId: string,
    first: number | null | undefined,
    after: string | null | undefined,
    { page }: { page: boolean },
  ): Promise<Connection<Article>> {
    const limit = pageSize(first);
    const id = parseId(concertId, 'id');
    const from = after ? decodeTimeIdCursor(after) : null;
    if (!page) return connectionFromPage([], { limit, after, totalCount: await this.loaders.concertArticleCount.load(concertId), edge: edgeOf });
    if (from) {
      const [docs, totalCount] = await Promise.all([
        this.repos.articles.page({ concertId: id, viewerId: this.loaders.viewerObjectId }, limit, { value: from.time, id: from.id }),
        this.loaders.concertArticleCount.load(concertId),
      ]);
      return connectionFromPage(docs, { limit, after, totalCount, edge: edgeOf });
    }
    const firstPage = await this.loaders.concertFirstPage(limit).load(concertId);
    return connectionFromPage(firstPage?.rows ?? [], {
      limit,
      after,
      totalCount: firstPage?.count ?? 0,
      // An article deleted between the two reads is dropped; the end cursor stays the last one read.
      edge: (row) => (row.doc ? edgeOf(row.doc) : null),
      cursor: (row) => encodeTimeIdCursor(row.createdAt, row._id),
    });
  }

  /** A visible article, batched with the other reads of the request; null when missing, malformed, being deleted or hidden from the viewer. */
  get(id: string): Promise<ArticleDocument | null> {
    return this.loaders.article.load(id);
  }

  async create(viewer: Identity, input: CreateArticleInput): Promise<ArticleDocument> {
    const title = cleanPlainLine(input.title, { field: 'input.title', max: ARTICLE_LIMITS.title });
    const body = cleanRichText(input.body, { field: 'input.body', max: ARTICLE_LIMITS.body, maxStored: ARTICLE_LIMITS.bodyStored });
    const tags = normalizeTags(input.tags ?? [], 'input.tags');
    const concertId = input.concertId ? parseId(input.concertId, 'input.concertId') : null;
    const now = new Date();
    const doc = await this.repos.articles.insert({
      title,
      body: body.html,
      bodyText: body.text,
      tags,
      concertId,
      authorId: parseId(viewer.userId, 'viewer'),
      createdAt: now,
      updatedAt: now,
    });
    this.loaders.forgetArticle(doc._id.toHexString());
    return doc;
  }

  /** The author or an admin. Absent fields stay; `concertId: null` detaches, `tags: null` clears, a null title or body is bad input. */
  async update(viewer: Identity, id: string, input: UpdateArticleInput): Promise<ArticleDocument> {
    const doc = await this.deletion.require(id);
    requireSelfOrAdmin(viewer, doc.authorId.toHexString(), 'Only the author or an admin can change this article.');
    const set: Partial<ArticleDocument> = { updatedAt: new Date() };
    if (input.title !== undefined) {
      if (input.title === null) throw new BadUserInputError('input.title must not be null.', 'input.title');
      set.title = cleanPlainLine(input.title, { field: 'input.title', max: ARTICLE_LIMITS.title });
    }
    if (input.body !== undefined) {
      if (input.body === null) throw new BadUserInputError('input.body must not be null.', 'input.body');
      const body = cleanRichText(input.body, { field: 'input.body', max: ARTICLE_LIMITS.body, maxStored: ARTICLE_LIMITS.bodyStored });
      set.body = body.html;
      set.bodyText = body.text;
    }
    if (input.tags !== undefined) set.tags = normalizeTags(input.tags ?? [], 'input.tags');
    if (input.concertId !== undefined) set.concertId = input.concertId === null ? null : parseId(input.concertId, 'input.concertId');
    // An admin editing someone else's article: a staff action, through the audit trail.
    const updated = actsAsStaff(viewer.userId, doc.authorId)
      ? await this.audit.record<ArticleDocument | null>(
          {
            actorId: viewer.userId,
            action: 'ARTICLE_UPDATED',
            targetType: 'ARTICLE',
            targetId: id,
            details: { authorId: doc.authorId.toHexString(), fields: Object.keys(input).sort().join(',') },
          },
          { id: doc._id, set },
        )
      : await this.repos.articles.update(doc._id, set);
    if (!updated) throw new NotFoundError('Article', id);
    this.loaders.forgetArticle(id);
    return updated;
  }
}
