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
 */
export function createArticlesRepositories(db: Db, textSearch: boolean, pointReadsUpTo = 0): ArticlesRepositories {
  return {
    articles: new ArticleRepository(db, textSearch, pointReadsUpTo),
    comments: new CommentRepository(db),
    // Index names derive from the parent field: `article_user_unique`, `user_createdAt_id`.
    likes: new UserLinkRepository(db, 'likes', 'articleId'),
    bookmarks: new UserLinkRepository(db, 'bookmarks', 'articleId'),
  };
}

/** Creates every index, idempotently. */
export async function ensureArticlesIndexes(repos: ArticlesRepositories): Promise<void> {
  await Promise.all(Object.values(repos).map((r: { ensureIndexes(): Promise<void> }) => r.ensureIndexes()));
}
