import DataLoader from 'dataloader';
import { ObjectId } from 'mongodb';
import type { CommentRepository } from '../comment/comment.repository.js';
import type { ReactionRepository } from '../reaction/reaction.repository.js';
import type { ArticleRepository } from './article.repository.js';
import type { ArticleDocument } from './article.type.js';

export interface ArticleLoaders {
  /** Visible articles by id (null when missing or being deleted). */
  article: DataLoader<string, ArticleDocument | null>;
  likeCount: DataLoader<string, number>;
  commentCount: DataLoader<string, number>;
  viewerHasLiked: DataLoader<string, boolean>;
  viewerHasBookmarked: DataLoader<string, boolean>;
}

const isId = (id: string) => /^[0-9a-f]{24}$/i.test(id);
const objectIds = (ids: readonly string[]) => ids.filter(isId).map((id) => new ObjectId(id));

function counter(count: (ids: readonly ObjectId[]) => Promise<Map<string, number>>) {
  return new DataLoader<string, number>(async (ids) => {
    const valid = objectIds(ids);
    const counts = valid.length ? await count(valid) : new Map<string, number>();
    return ids.map((id) => counts.get(id) ?? 0);
  });
}

function flag(viewerId: string | null, find: (user: ObjectId, ids: readonly ObjectId[]) => Promise<Set<string>>) {
  return new DataLoader<string, boolean>(async (ids) => {
    // An anonymous viewer has liked and bookmarked nothing: no query at all.
    if (!viewerId || !isId(viewerId)) return ids.map(() => false);
    const valid = objectIds(ids);
    const found = valid.length ? await find(new ObjectId(viewerId), valid) : new Set<string>();
    return ids.map((id) => found.has(id));
  });
}

/** Per-request loaders: one query per kind per tick, however many articles a response holds. */
export function createArticleLoaders(
  repos: { articles: ArticleRepository; comments: CommentRepository; likes: ReactionRepository; bookmarks: ReactionRepository },
  viewerId: string | null,
): ArticleLoaders {
  return {
    article: new DataLoader<string, ArticleDocument | null>(async (ids) => {
      const valid = objectIds(ids);
      const docs = valid.length ? await repos.articles.findVisibleByIds(valid) : [];
      const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    likeCount: counter((ids) => repos.likes.countByArticles(ids)),
    commentCount: counter((ids) => repos.comments.countByArticles(ids)),
    viewerHasLiked: flag(viewerId, (user, ids) => repos.likes.articlesOf(user, ids)),
    viewerHasBookmarked: flag(viewerId, (user, ids) => repos.bookmarks.articlesOf(user, ids)),
  };
}

/** Forgets what a request loaded about an article after it changed it. */
export function forgetArticle(loaders: ArticleLoaders, id: string): void {
  for (const loader of Object.values(loaders) as Array<DataLoader<string, unknown>>) loader.clear(id);
}
