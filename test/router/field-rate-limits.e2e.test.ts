import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '@stagelives/devkit';
import { createArticle, LIKE, UNLIKE } from '../articles/fixtures.js';
import { SEND, createRoom, join as joinRoom, send } from '../chat/fixtures.js';
import { codeOf, gql, ok, signUp, startStack, type Stack } from '../support/harness.js';

// The SDL declares production's limits; a factor of 0.1 makes them small enough to reach:
// sendMessage 30/10 s → 3, addComment 20/60 s → 2, likeArticle and unlikeArticle 60/60 s → 6 each.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ FIELD_RATE_LIMIT_FACTOR: '0.1' });
});
afterAll(() => stack?.close());

const ADD_COMMENT = 'mutation($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { id body } }';

function retryAfterOf(res: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }): number {
  return res.errors?.[0]?.extensions?.retryAfter as number;
}

describe('per-field rate limits (@rateLimit)', () => {
  it('should declare each limit in the subgraph SDL, where a reader of the schema sees it', () => {
    const sdl = (name: string) => readFileSync(join(ROOT, `subgraphs/${name}/schema.graphql`), 'utf8');
    expect(sdl('chat')).toMatch(/sendMessage\([^)]*\): ChatMessage! @rateLimit\(limit: 30, duration: 10\)/s);
    expect(sdl('articles')).toMatch(/addComment\([^)]*\): Comment! @rateLimit\(limit: 20, duration: 60\)/s);
    expect(sdl('articles')).toMatch(/likeArticle\([^)]*\): Article! @rateLimit\(limit: 60, duration: 60\)/s);
    expect(sdl('concerts')).toMatch(/likeConcert\([^)]*\): Concert! @rateLimit\(limit: 60, duration: 60\)/s);
  });

  it('should refuse a user’s fourth message in the window with RATE_LIMITED and retryAfter, per user and across rooms, storing nothing', async () => {
    const [fan, other, outsider] = await Promise.all([signUp(stack), signUp(stack), signUp(stack)]);
    const room = await createRoom(stack, fan.token);
    await joinRoom(stack, other.token, room.id);

    // Refused sends (not a member, bad body) give their point back.
    expect(codeOf(await gql(stack, SEND, { roomId: room.id, body: 'hi' }, { token: outsider.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(stack, SEND, { roomId: room.id, body: '  ' }, { token: fan.token }))).toBe('BAD_USER_INPUT');

    for (const body of ['one', 'two', 'three']) await send(stack, fan.token, room.id, body);
    const limited = await gql(stack, SEND, { roomId: room.id, body: 'four' }, { token: fan.token });
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect(retryAfterOf(limited)).toBeGreaterThanOrEqual(1);
    expect(retryAfterOf(limited)).toBeLessThanOrEqual(10);

    // Per user, across rooms: the other member still sends; the limited user cannot elsewhere either.
    expect((await send(stack, other.token, room.id, 'me too')).seq).toBe(4);
    const elsewhere = await createRoom(stack, fan.token);
    expect(codeOf(await gql(stack, SEND, { roomId: elsewhere.id, body: 'here?' }, { token: fan.token }))).toBe('RATE_LIMITED');

    const stored = await stack.mongo
      .db('chat')
      .collection('messages')
      .find({ roomId: new ObjectId(room.id) })
      .sort({ seq: 1 })
      .toArray();
    expect(stored.map((m) => m.body)).toEqual(['one', 'two', 'three', 'me too']);
    // The count lives in Redis under the stack's prefix, per field and user.
    expect(await stack.redis.exists(`${stack.prefix}:field:Mutation.sendMessage:${fan.user.id}`)).toBe(1);
  });

  it('should limit comments and likes per field: a user at one field’s limit still uses the others', async () => {
    const fan = await signUp(stack);
    const article = await createArticle(stack, fan.token);

    // A comment refused for its input gives its point back.
    expect(codeOf(await gql(stack, ADD_COMMENT, { articleId: article.id, body: '' }, { token: fan.token }))).toBe('BAD_USER_INPUT');
    await ok(stack, ADD_COMMENT, { articleId: article.id, body: 'first' }, { token: fan.token });
    await ok(stack, ADD_COMMENT, { articleId: article.id, body: 'second' }, { token: fan.token });
    const third = await gql(stack, ADD_COMMENT, { articleId: article.id, body: 'third' }, { token: fan.token });
    expect(codeOf(third)).toBe('RATE_LIMITED');
    expect(retryAfterOf(third)).toBeGreaterThan(10);
    expect(retryAfterOf(third)).toBeLessThanOrEqual(60);

    // Likes count separately from comments, and liking and unliking separately from each other.
    for (let i = 0; i < 6; i += 1) await ok(stack, LIKE, { id: article.id }, { token: fan.token });
    expect(codeOf(await gql(stack, LIKE, { id: article.id }, { token: fan.token }))).toBe('RATE_LIMITED');
    const unliked = await ok<{ unlikeArticle: { likeCount: number; viewerHasLiked: boolean } }>(stack, UNLIKE, { id: article.id }, { token: fan.token });
    expect(unliked.unlikeArticle).toEqual(expect.objectContaining({ likeCount: 0, viewerHasLiked: false }));

    // Another user's allowance is their own.
    const other = await signUp(stack);
    await ok(stack, ADD_COMMENT, { articleId: article.id, body: 'mine' }, { token: other.token });
    const comments = await ok<{ article: { comments: { totalCount: number } } }>(
      stack,
      'query($id: ID!) { article(id: $id) { comments(first: 10) { totalCount } } }',
      {
        id: article.id,
      },
    );
    expect(comments.article.comments.totalCount).toBe(3);
  });
});
