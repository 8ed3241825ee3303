import { ObjectId } from 'mongodb';
import { type Identity, BadUserInputError, ForbiddenError, NotFoundError, cleanText, decodeTimeIdCursor, encodeTimeIdCursor, pageSize, parseId, type Connection, connectionFromPage } from '@stagelives/schema';
import type { Logger } from '@stagelives/platform';
import { hasRole } from '@stagelives/platform/subgraph';
import type { CommentRepository } from '../comment/comment.repository.js';
import { cleanPlainLine, cleanRichText, normalizeTag, normalizeTags } from '../content/sanitize.js';
import type { ReactionRepository } from '../reaction/reaction.repository.js';
import type { ArticleFilter, CreateArticleInput, UpdateArticleInput } from './article.input.js';
import type { ArticleCursor, ArticleQuery, ArticleRepository } from './article.repository.js';
import { Article, type ArticleDocument } from './article.type.js';

/** Length limits; docs/articles.md explains them. */
export const ARTICLE_LIMITS = {
  title: 200,
  body: 20_000,
  /** Stored HTML may be longer than what was sent (escaping, rel on links), but not unboundedly. */
  bodyStored: 60_000,
  search: 100,
  searchWords: 10,
} as const;

export interface ArticleRepositories {
  articles: ArticleRepository;
  comments: CommentRepository;
  likes: ReactionRepository;
  bookmarks: ReactionRepository;
}

/** Keyset cursor of a (createdAt, id) sort: `[ms, hex id]` (articles, comments, bookmarks). */
export const cursorOf = encodeTimeIdCursor;

export function parseCursor(after: string | null | undefined): ArticleCursor | undefined {
  if (!after) return undefined;
  const { time, id } = decodeTimeIdCursor(after);
  return { createdAt: time, id };
}

/** Author or admin; everyone else is FORBIDDEN. */
export function requireOwner(viewer: Identity, authorId: ObjectId, what: string): void {
  if (viewer.userId !== authorId.toHexString() && !hasRole(viewer, 'ADMIN')) {
    throw new ForbiddenError(`Only the author or an admin can change this ${what}.`);
  }
}

export class ArticleService {
  constructor(private readonly repos: ArticleRepositories, private readonly logger: Logger) {}

  /** Search words: trimmed, at most 100 characters and 10 words. */
  private searchWords(search: string): string[] {
    const text = cleanText(search, { field: 'filter.search', max: ARTICLE_LIMITS.search });
    const words = text.split(/\s+/).filter(Boolean);
    if (words.length > ARTICLE_LIMITS.searchWords) throw new BadUserInputError(`filter.search may hold at most ${ARTICLE_LIMITS.searchWords} words.`, 'filter.search');
    return words;
  }

  async list(filter: ArticleFilter | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Article>> {
    const limit = pageSize(first);
    const query: ArticleQuery = {};
    if (filter?.concertId) query.concertId = parseId(filter.concertId, 'filter.concertId');
    if (filter?.authorId) query.authorId = parseId(filter.authorId, 'filter.authorId');
    if (filter?.tag?.trim()) query.tag = normalizeTag(filter.tag, 'filter.tag');
    if (filter?.search?.trim()) query.words = this.searchWords(filter.search);
    const cursor = parseCursor(after);
    const [docs, totalCount] = await Promise.all([this.repos.articles.page(query, limit, cursor), this.repos.articles.count(query)]);
    return connectionFromPage(docs, { limit, after, totalCount, edge: (doc) => ({ cursor: cursorOf(doc.createdAt, doc._id), node: Article.from(doc) }) });
  }

  /**
   * The viewer's bookmarks, most recently bookmarked first. Bookmarks of an article whose
   * delete is in progress (or was interrupted) are left out of the page and the count.
   */
  async bookmarks(
    viewer: Identity,
    userId: string,
    first: number | null | undefined,
    after: string | null | undefined,
    load: (ids: string[]) => Promise<Array<ArticleDocument | null>>,
  ): Promise<Connection<Article>> {
    if (viewer.userId !== userId) throw new ForbiddenError('Bookmarks are private.');
    const limit = pageSize(first);
    const user = parseId(userId, 'id');
    const cursor = parseCursor(after);
    const hidden = await this.repos.articles.deletedIds();
    const [marks, totalCount] = await Promise.all([this.repos.bookmarks.pageForUser(user, limit, cursor, hidden), this.repos.bookmarks.countForUser(user, hidden)]);
    const page = marks.slice(0, limit);
    const docs = await load(page.map((m) => m.articleId.toHexString()));
    const edges = page.flatMap((m, i) => {
      const doc = docs[i];
      return doc ? [{ cursor: cursorOf(m.createdAt, m._id), node: Article.from(doc) }] : [];
    });
    // An article can still vanish between the two reads: its edge is dropped, and the end
    // cursor stays the last bookmark read so the next page continues after it.
    const last = page.at(-1);
    return {
      edges,
      totalCount,
      pageInfo: {
        hasNextPage: marks.length > limit,
        hasPreviousPage: Boolean(after),
        startCursor: edges[0]?.cursor ?? null,
        endCursor: last ? cursorOf(last.createdAt, last._id) : null,
      },
    };
  }

  async create(viewer: Identity, input: CreateArticleInput): Promise<ArticleDocument> {
    const title = cleanPlainLine(input.title, { field: 'input.title', max: ARTICLE_LIMITS.title });
    const body = cleanRichText(input.body, { field: 'input.body', max: ARTICLE_LIMITS.body, maxStored: ARTICLE_LIMITS.bodyStored });
    const tags = normalizeTags(input.tags ?? [], 'input.tags');
    const concertId = input.concertId ? parseId(input.concertId, 'input.concertId') : null;
    const now = new Date();
    return this.repos.articles.insert({
      title,
      body: body.html,
      bodyText: body.text,
      tags,
      concertId,
      authorId: parseId(viewer.userId, 'viewer'),
      createdAt: now,
      updatedAt: now,
    });
  }

  /** A visible article or NOT_FOUND. */
  async require(id: string, field = 'id'): Promise<ArticleDocument> {
    const oid = parseId(id, field);
    const [doc] = await this.repos.articles.findVisibleByIds([oid]);
    if (!doc) throw new NotFoundError('Article', id);
    return doc;
  }

  async update(viewer: Identity, id: string, input: UpdateArticleInput): Promise<ArticleDocument> {
    const doc = await this.require(id);
    requireOwner(viewer, doc.authorId, 'article');
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
    const updated = await this.repos.articles.update(doc._id, set);
    if (!updated) throw new NotFoundError('Article', id);
    return updated;
  }

  /**
   * Deletes an article and everything hanging off it, without transactions: hide it first
   * (one atomic update, invisible from then on), then remove comments, likes and bookmarks,
   * then the article. Every step is idempotent; `finishDeletes()` completes an interrupted one.
   */
  async delete(viewer: Identity, id: string): Promise<boolean> {
    const doc = await this.require(id);
    requireOwner(viewer, doc.authorId, 'article');
    if (!(await this.repos.articles.markDeleted(doc._id))) throw new NotFoundError('Article', id);
    await this.cascade(doc._id);
    return true;
  }

  private async cascade(id: ObjectId): Promise<void> {
    await Promise.all([this.repos.comments.deleteByArticle(id), this.repos.likes.deleteByArticle(id), this.repos.bookmarks.deleteByArticle(id)]);
    await this.repos.articles.removeDeleted(id);
  }

  /** Completes deletes interrupted by a crash (run at start-up). Returns how many it finished. */
  async finishDeletes(): Promise<number> {
    const ids = await this.repos.articles.deletedIds();
    for (const id of ids) await this.cascade(id);
    if (ids.length) this.logger.info({ count: ids.length }, 'finished interrupted article deletes');
    return ids.length;
  }

  /**
   * Writes a child document (comment, like, bookmark) of a visible article. If the article's
   * delete started meanwhile, the cascade may have run before the write landed: undo it.
   */
  async writeChild<T>(articleId: string, field: string, write: (article: ArticleDocument) => Promise<T>, undo: (article: ArticleDocument, result: T) => Promise<unknown>): Promise<{ article: ArticleDocument; result: T }> {
    const article = await this.require(articleId, field);
    const result = await write(article);
    const [still] = await this.repos.articles.findVisibleByIds([article._id]);
    if (!still) {
      await undo(article, result);
      throw new NotFoundError('Article', articleId);
    }
    return { article: still, result };
  }

  async react(viewer: Identity, kind: 'likes' | 'bookmarks', id: string, on: boolean): Promise<ArticleDocument> {
    const repo = this.repos[kind];
    const user = parseId(viewer.userId, 'viewer');
    if (!on) {
      const doc = await this.require(id);
      await repo.remove(doc._id, user);
      return doc;
    }
    const { article } = await this.writeChild(
      id,
      'id',
      (a) => repo.add(a._id, user),
      (a, added) => (added ? repo.remove(a._id, user) : Promise.resolve()),
    );
    return article;
  }
}
