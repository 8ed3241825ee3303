import { BadUserInputError, cleanText } from '@stagelives/schema';

/** Length limits of articles; docs/articles.md explains them. */
export const ARTICLE_LIMITS = {
  title: 200,
  body: 20_000,
  /** Stored HTML may be longer than what was sent (escaping, rel on links), but not unboundedly. */
  bodyStored: 60_000,
  search: 100,
  searchWords: 10,
} as const;

/** The words of `filter.search`: trimmed, at most 100 characters and 10 words. */
export function searchWords(search: string): string[] {
  const text = cleanText(search, { field: 'filter.search', max: ARTICLE_LIMITS.search });
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length > ARTICLE_LIMITS.searchWords)
    throw new BadUserInputError(`filter.search may hold at most ${ARTICLE_LIMITS.searchWords} words.`, 'filter.search');
  return words;
}
