import { onContentModerated, type Logger, type Redis } from '@stagelives/platform';
import { articleEvent, publishArticleEvents, tryParseId, type ContentModerationPayload } from '@stagelives/schema';
import type { ArticlesRepositories } from '../repositories.js';

/** Consumer group of the articles domain on the moderation stream. */
const ARTICLES_MODERATION_CONSUMER_GROUP = 'articles';

/**
 * Applies one moderation decision on an article or a comment to its document; returns whether it
 * changed anything. A decision no newer than the one applied last (`moderatedAt`) is skipped, so
 * an entry handled twice, or after a later one, changes nothing. Chat messages are the chat domain's.
 */
async function applyDecision(
  repos: ArticlesRepositories,
  hidden: boolean,
  decision: ContentModerationPayload,
): Promise<{ articleId: string; targetType: 'ARTICLE' | 'COMMENT' } | null> {
  const { targetType, targetId, reason, at } = decision;
  const id = tryParseId(targetId);
  const when = new Date(at);
  if (!id || Number.isNaN(when.getTime())) return null;
  if (targetType === 'ARTICLE') {
    const doc = await repos.articles.applyModeration(id, hidden, reason, when);
    return doc ? { articleId: doc._id.toHexString(), targetType } : null;
  }
  if (targetType === 'COMMENT') {
    const doc = await repos.comments.applyModeration(id, hidden, reason, when);
    return doc ? { articleId: doc.articleId.toHexString(), targetType } : null;
  }
  return null;
}

/**
 * Hides and restores articles and comments: reads `content.hidden` / `content.restored` from the
 * moderation stream in the `articles` consumer group (each entry to one instance; a crashed
 * instance's entries are claimed by the others) and applies ARTICLE and COMMENT decisions. Once
 * one is applied it appends `article.moderated` to the articles stream, on which the router's
 * response cache purges what held the content at once.
 */
export function startModerationConsumer({
  redis,
  redisPrefix,
  repos,
  logger,
  blockMs,
}: {
  redis: Redis;
  redisPrefix: string;
  repos: ArticlesRepositories;
  logger: Logger;
  /** How long one XREADGROUP waits for entries. Default 1000 ms. */
  blockMs?: number;
}): { stop(): Promise<void> } {
  return onContentModerated({
    redis,
    redisPrefix,
    group: ARTICLES_MODERATION_CONSUMER_GROUP,
    owns: ['ARTICLE', 'COMMENT'],
    logger,
    blockMs,
    handle: async (hidden, decision) => {
      const applied = await applyDecision(repos, hidden, decision);
      if (!applied) return;
      const { targetType } = applied;
      const { targetId } = decision;
      await publishArticleEvents(redis, redisPrefix, [articleEvent('article.moderated', { targetType, targetId, articleId: applied.articleId, hidden })]);
      logger.info({ targetType, targetId, hidden }, 'applied a moderation decision');
    },
  });
}
