import { ArticleEventType, ConcertEventType, decodeArticleEvent, decodeConcertEvent, decodeUserEvent, UserEventType } from '@stagelives/schema';
import { changedEntity, typeTag } from './tags.js';

/**
 * What a mutation run through the router purges, besides the entities of its answer and the
 * entities its ID arguments may name (`<Type>:<id>` for every type with an id): the types whose
 * lists it may change (`type:<Type>`: a new or deleted item, a move in order or filter), and
 * whether it changes the viewer's own User. A mutation not listed purges the lists of its return
 * type and of the type its name ends with (`createX` → X): safe by default.
 */
export const MUTATION_PURGES: Record<string, { lists: string[]; viewer?: boolean }> = {
  createArticle: { lists: ['Article'] },
  updateArticle: { lists: ['Article'] },
  deleteArticle: { lists: ['Article', 'Comment'] },
  likeArticle: { lists: [] },
  unlikeArticle: { lists: [] },
  bookmarkArticle: { lists: [] },
  unbookmarkArticle: { lists: [] },
  // The article is an ID argument (its commentCount and comment list are purged through it).
  addComment: { lists: ['Comment'] },
  updateComment: { lists: [] },
  // Only the comment's id is known: every entry with articles (their commentCount) goes.
  deleteComment: { lists: ['Comment', 'Article'] },
  createConcert: { lists: ['Concert'] },
  updateConcert: { lists: ['Concert'] },
  cancelConcert: { lists: ['Concert'] },
  deleteConcert: { lists: ['Concert', 'Setlist'] },
  likeConcert: { lists: [] },
  unlikeConcert: { lists: [] },
  upsertSetlist: { lists: [] },
  deleteSetlist: { lists: [] },
  updateProfile: { lists: [], viewer: true },
  deleteAccount: { lists: [], viewer: true },
  changePassword: { lists: [] },
  signUp: { lists: [] },
  logIn: { lists: [] },
  signInWithGoogle: { lists: [] },
  signInWithApple: { lists: [] },
};

/** Tags a concerts, users or articles stream entry purges; null when the entry is not one of their events. */
export function tagsOfEvent(fields: readonly string[]): string[] | null {
  const concert = decodeConcertEvent(fields);
  if (concert) {
    const own = changedEntity('Concert', concert.payload.concertId);
    switch (concert.type) {
      case ConcertEventType.Liked:
      case ConcertEventType.Unliked:
        return own;
      case ConcertEventType.Rescheduled:
      case ConcertEventType.StatusChanged:
        // Date and status filters and the order of lists may change: every list of concerts.
        return [...own, typeTag('Concert')];
      case ConcertEventType.Deleted:
        return [...own, typeTag('Concert'), typeTag('Setlist')];
    }
  }
  const user = decodeUserEvent(fields);
  if (user?.type === UserEventType.Deleted) return changedEntity('User', user.payload.userId);
  if (user) return [];
  const article = decodeArticleEvent(fields);
  if (article?.type === ArticleEventType.Moderated) {
    // Hidden or restored: it leaves or rejoins lists, counts and its article's comments.
    const { targetType, targetId, articleId } = article.payload;
    const own = targetType === 'ARTICLE' ? changedEntity('Article', targetId) : [...changedEntity('Comment', targetId), ...changedEntity('Article', articleId)];
    return [...own, typeTag(targetType === 'ARTICLE' ? 'Article' : 'Comment')];
  }
  return null;
}
