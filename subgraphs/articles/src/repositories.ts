import type { Db } from 'mongodb';
import { UserLinkRepository } from '@stagelives/platform';
import { ArticleRepository } from './article/article.repository.js';
import { CommentRepository } from './comment/comment.repository.js';

/** Every collection of the articles database, each behind its repository. */
export interface ArticlesRepositories {
  articles: ArticleRepository;
  comments: CommentRepository;
  /** One document per (article, user): `{ articleId, userId, createdAt }`. */
  likes: UserLinkRepository;
  bookmarks: UserLinkRepository;
}

/**
 * `textSearch`: the server has `$text` (MongoDB); FerretDB searches with escaped regexes.
 * `pointReadsUpTo`: ids read one by one rather than with `$in` (platform's pointReadsFor).
 * `equalityReadsUpTo`: batches over articles or concerts read one equality per value rather
 * than with `$in` (platform's equalityReadsFor).
 */
export function createArticlesRepositories(db: Db, textSearch: boolean, pointReadsUpTo = 0, equalityReadsUpTo = 0): ArticlesRepositories {
  return {
    articles: new ArticleRepository(db, textSearch, pointReadsUpTo, equalityReadsUpTo),
    comments: new CommentRepository(db, equalityReadsUpTo),
    // Index names derive from the parent field: `article_user_unique`, `user_createdAt_id`.
    likes: new UserLinkRepository(db, 'likes', 'articleId', equalityReadsUpTo),
    bookmarks: new UserLinkRepository(db, 'bookmarks', 'articleId', equalityReadsUpTo),
  };
}

/** Creates every index, idempotently. */
export async function ensureArticlesIndexes(repos: ArticlesRepositories): Promise<void> {
  await Promise.all(Object.values(repos).map((r: { ensureIndexes(): Promise<void> }) => r.ensureIndexes()));
}
