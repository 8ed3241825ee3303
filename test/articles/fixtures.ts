import { ok, type Stack } from '../support/harness.js';

/** Shared helpers of the articles end-to-end tests. */

const CREATE_CONCERT = 'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id title } }';
const CREATE_ARTICLE = 'mutation CreateArticle($input: CreateArticleInput!) { createArticle(input: $input) { id title body tags author { id nickname } } }';
export const LIKE = 'mutation LikeArticle($id: ID!) { likeArticle(id: $id) { id likeCount viewerHasLiked } }';
export const UNLIKE = 'mutation UnlikeArticle($id: ID!) { unlikeArticle(id: $id) { id likeCount viewerHasLiked } }';
export const BOOKMARK = 'mutation BookmarkArticle($id: ID!) { bookmarkArticle(id: $id) { id viewerHasBookmarked } }';
export const UNBOOKMARK = 'mutation UnbookmarkArticle($id: ID!) { unbookmarkArticle(id: $id) { id viewerHasBookmarked } }';

let concerts = 0;
export async function createConcert(stack: Stack, adminToken: string, title = `Show ${(concerts += 1)}`): Promise<{ id: string; title: string }> {
  const { createConcert } = await ok(
    stack,
    CREATE_CONCERT,
    { input: { title, artist: 'IU', venue: 'KSPO Dome', startsAt: new Date(Date.UTC(2031, 5, 1 + concerts, 10)).toISOString() } },
    { token: adminToken },
  );
  return createConcert;
}

export interface CreatedArticle {
  id: string;
  title: string;
  body: string;
  tags: string[];
  author: { id: string; nickname: string };
}

export async function createArticle(
  stack: Stack,
  token: string,
  input: { title?: string; body?: string; concertId?: string | null; tags?: string[] } = {},
): Promise<CreatedArticle> {
  const { createArticle } = await ok<{ createArticle: CreatedArticle }>(
    stack,
    CREATE_ARTICLE,
    { input: { title: 'Encore was unreal', body: 'They played three extra songs.', ...input } },
    { token },
  );
  return createArticle;
}
