import { domainEventStream, type DomainEvent } from './domain-events.js';

/**
 * Domain events of the articles domain (`<REDIS_PREFIX>events:articles`): changes made outside
 * a mutation of the router, which the router's response cache must purge. Today one kind: a
 * moderation decision (hidden or restored) applied to an article or a comment by the articles
 * domain's consumer of the moderation stream.
 */
export const ArticleEventType = {
  /** An article or a comment was hidden or restored (the decision is applied: reads show it now). */
  Moderated: 'article.moderated',
} as const;

export interface ArticleModeratedPayload {
  targetType: 'ARTICLE' | 'COMMENT';
  targetId: string;
  /** The article itself, or the comment's article (its `commentCount` and comment list changed). */
  articleId: string;
  hidden: boolean;
}

export interface ArticleEventPayloads {
  'article.moderated': ArticleModeratedPayload;
}

export type ArticleEvent = DomainEvent<ArticleEventPayloads>;

const articles = domainEventStream<ArticleEventPayloads>({
  domain: 'articles',
  types: Object.values(ArticleEventType),
  maxLen: 100_000,
  valid: (event) =>
    (event.payload?.targetType === 'ARTICLE' || event.payload?.targetType === 'COMMENT') &&
    typeof event.payload.targetId === 'string' &&
    typeof event.payload.articleId === 'string',
});

/** The stream key of a stack: `${REDIS_PREFIX}events:articles`. */
export const articleEventsStream = articles.key;
/** Builds an event with a fresh id and the current time. */
export const articleEvent = articles.event;
/** Appends events to the stream, in order, in one round trip (MULTI); awaited. */
export const publishArticleEvents = articles.publish;
/** Parses the field list of one stream entry back into an event (null when it is not one). */
export const decodeArticleEvent = articles.decode;
