import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { startOidcServer } from '../support/oidc-server.js';
import { restClient, sessionCookieOf, type RestResult } from './client.js';

/** Every row of contract/rest.md through the real router, with plain fetch. */

let stack: Stack;
let oidc: Awaited<ReturnType<typeof startOidcServer>>;
let call: ReturnType<typeof restClient>;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
let fan: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  oidc = await startOidcServer();
  stack = await startStack(oidc.env);
  call = restClient(stack.baseUrl);
  [admin, fan, other] = await Promise.all([signUpAdmin(stack), signUp(stack), signUp(stack)]);
});
afterAll(async () => {
  await stack?.close();
  await oidc?.close();
});

const future = (days: number) => new Date(Date.UTC(2033, 0, 1) + days * 86_400_000).toISOString();
let n = 0;
const unique = () => `${Date.now().toString(36)}${(n += 1)}`;
const MISSING_ID = '0123456789abcdef01234567';

function expectError(res: RestResult, status: number, code: string, field?: string) {
  expect({ status: res.status, body: res.json }).toMatchObject({ status, body: { error: { code, ...(field ? { field } : {}) } } });
  expect(Object.keys(res.json)).toEqual(['error']);
  expect(typeof res.json.error.message).toBe('string');
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
}

async function createConcert(input: Record<string, unknown> = {}) {
  const res = await call('POST', '/concert', {
    token: admin.token,
    body: { title: `REST ${unique()}`, artist: 'IU', venue: 'KSPO Dome', startsAt: future(10), ...input },
  });
  expect(res.status).toBe(201);
  return res.json.data as { id: string; title: string; status: string };
}

describe('REST: accounts', () => {
  it('should sign up, log in, read me, and log out with the session cookie or the bearer token', async () => {
    const email = `rest${unique()}@example.com`;
    const password = 'correct horse battery staple';
    const signup = await call('POST', '/auth/signup', { body: { email, password, nickname: `rest${unique()}` } });
    expect(signup.status).toBe(201);
    expect(Object.keys(signup.json)).toEqual(['data']);
    expect(signup.json.data).toMatchObject({ sessionToken: expect.any(String), user: { email, roles: ['USER'] } });
    const setCookie = signup.headers.getSetCookie().find((c) => c.startsWith('sl_session='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(sessionCookieOf(signup)).toBe(`sl_session=${signup.json.data.sessionToken}`);
    expect(signup.headers.get('x-request-id')).toBeTruthy();

    const login = await call('POST', '/auth/login', { body: { email, password } });
    expect(login.status).toBe(200);
    expect(login.json.data.user.email).toBe(email);
    const cookie = sessionCookieOf(login)!;
    expect(cookie).toBe(`sl_session=${login.json.data.sessionToken}`);

    const byCookie = await call('GET', '/auth/me', { cookie });
    expect(byCookie.status).toBe(200);
    expect(byCookie.json.data).toMatchObject({ email, notificationPreferences: { ticketOpen: expect.any(Boolean) } });
    const byBearer = await call('GET', '/auth/me', { token: login.json.data.sessionToken });
    expect(byBearer.json.data.id).toBe(byCookie.json.data.id);

    const logout = await call('POST', '/auth/logout', { cookie });
    expect(logout.status).toBe(200);
    expect(logout.json).toEqual({ data: true });
    expect(logout.headers.getSetCookie().some((c) => /^sl_session=;/.test(c))).toBe(true);
    expectError(await call('GET', '/auth/me', { cookie }), 401, 'UNAUTHENTICATED');
    expectError(await call('GET', '/auth/me'), 401, 'UNAUTHENTICATED');
  });

  it('should answer 401 for a wrong password and 409 for a taken email', async () => {
    expectError(await call('POST', '/auth/login', { body: { email: fan.email, password: 'not the password at all' } }), 401, 'UNAUTHENTICATED');
    expectError(
      await call('POST', '/auth/signup', { body: { email: fan.email, password: 'correct horse battery staple', nickname: `x${unique()}` } }),
      409,
      'CONFLICT',
      'email',
    );
  });

  it('should sign in with Google and Apple ID tokens', async () => {
    const google = await call('POST', '/auth/google', {
      body: { idToken: await oidc.googleToken({ sub: `g-${unique()}`, email: `g${unique()}@gmail.com`, email_verified: true, name: 'G Fan' }) },
    });
    expect(google.status).toBe(200);
    expect(google.json.data).toMatchObject({ sessionToken: expect.any(String), user: { id: expect.any(String) } });
    expect(sessionCookieOf(google)).toBe(`sl_session=${google.json.data.sessionToken}`);

    const apple = await call('POST', '/auth/apple', { body: { identityToken: await oidc.appleToken({ sub: `a-${unique()}` }), nickname: `apple${unique()}` } });
    expect(apple.status).toBe(200);
    expect(apple.json.data.user.nickname).toMatch(/^apple/);

    expectError(await call('POST', '/auth/google', { body: { idToken: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' } }), 401, 'UNAUTHENTICATED');
  });
});

describe('REST: concerts', () => {
  it('should create, read, update, like and delete a concert, admins only for writes', async () => {
    const input = { title: `Admins ${unique()}`, artist: 'IU', venue: 'KSPO Dome', startsAt: future(20) };
    expectError(await call('POST', '/concert', { body: input }), 401, 'UNAUTHENTICATED');
    expectError(await call('POST', '/concert', { token: fan.token, body: input }), 403, 'FORBIDDEN');
    const concert = await createConcert(input);
    expect(concert).toMatchObject({ title: input.title, status: 'UPCOMING' });

    const read = await call('GET', `/concert/${concert.id}`);
    expect(read.status).toBe(200);
    expect(read.json.data).toMatchObject({ id: concert.id, title: input.title, venue: 'KSPO Dome', likeCount: 0, viewerHasLiked: false, setlist: null });

    const patched = await call('PATCH', `/concert/${concert.id}`, { token: admin.token, body: { venue: 'Olympic Hall' } });
    expect(patched.status).toBe(200);
    expect(patched.json.data).toMatchObject({ id: concert.id, venue: 'Olympic Hall' });
    expectError(await call('PATCH', `/concert/${concert.id}`, { token: fan.token, body: { venue: 'Nope' } }), 403, 'FORBIDDEN');

    const liked = await call('POST', `/concert/${concert.id}/like`, { token: fan.token });
    expect(liked.json).toEqual({ data: { id: concert.id, likeCount: 1, viewerHasLiked: true } });
    expect((await call('GET', `/concert/${concert.id}`, { token: fan.token })).json.data.viewerHasLiked).toBe(true);
    const unliked = await call('DELETE', `/concert/${concert.id}/like`, { token: fan.token });
    expect(unliked.json).toEqual({ data: { id: concert.id, likeCount: 0, viewerHasLiked: false } });
    expectError(await call('POST', `/concert/${concert.id}/like`), 401, 'UNAUTHENTICATED');

    const deleted = await call('DELETE', `/concert/${concert.id}`, { token: admin.token });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ data: true });
    expectError(await call('GET', `/concert/${concert.id}`), 404, 'NOT_FOUND');
    expectError(await call('POST', `/concert/${concert.id}/like`, { token: fan.token }), 404, 'NOT_FOUND');
  });

  it('should list concerts with filters, limit and nextCursor', async () => {
    const artist = `Band ${unique()}`;
    const made = [];
    for (let i = 0; i < 3; i += 1) made.push(await createConcert({ artist, startsAt: future(30 + i) }));
    const page1 = await call('GET', `/concert?artist=${encodeURIComponent(artist)}&status=UPCOMING&limit=2`);
    expect(page1.status).toBe(200);
    expect(Object.keys(page1.json).sort()).toEqual(['data', 'nextCursor']);
    expect(page1.json.data.map((c: { id: string }) => c.id)).toEqual([made[0]!.id, made[1]!.id]);
    expect(page1.json.nextCursor).toEqual(expect.any(String));
    const page2 = await call('GET', `/concert?artist=${encodeURIComponent(artist)}&limit=2&cursor=${encodeURIComponent(page1.json.nextCursor)}`);
    expect(page2.json).toEqual({ data: [expect.objectContaining({ id: made[2]!.id })], nextCursor: null });
    const ranged = await call('GET', `/concert?artist=${encodeURIComponent(artist)}&from=${future(31)}&to=${future(32)}&search=`);
    expect(ranged.json.data.map((c: { id: string }) => c.id)).toEqual([made[1]!.id]);
    // Default limit 20 and an empty list.
    expect((await call('GET', `/concert?search=${unique()}zzz`)).json).toEqual({ data: [], nextCursor: null });
  });
});

describe('REST: articles', () => {
  it('should run every article route', async () => {
    const concert = await createConcert();
    const created = await call('POST', '/article', {
      token: fan.token,
      body: { title: 'Encore was unreal', body: '<p>Three extra songs.</p>', concertId: concert.id, tags: ['Review'] },
    });
    expect(created.status).toBe(201);
    const article = created.json.data;
    expect(article).toMatchObject({ title: 'Encore was unreal', tags: ['review'], author: { id: fan.user.id } });

    const list = await call('GET', `/article?concertId=${concert.id}&search=encore`);
    expect(list.json).toEqual({ data: [expect.objectContaining({ id: article.id, concert: { id: concert.id, title: concert.title } })], nextCursor: null });
    const read = await call('GET', `/article/${article.id}`);
    expect(read.json.data).toMatchObject({ id: article.id, commentCount: 0, comments: { totalCount: 0 } });
    expectError(await call('GET', `/article/${MISSING_ID}`), 404, 'NOT_FOUND');

    expectError(await call('PATCH', `/article/${article.id}`, { token: other.token, body: { title: 'Hijacked' } }), 403, 'FORBIDDEN');
    const patched = await call('PATCH', `/article/${article.id}`, { token: fan.token, body: { title: 'Encore was unreal (edited)' } });
    expect(patched.json.data).toMatchObject({ id: article.id, title: 'Encore was unreal (edited)' });

    const comment = await call('POST', `/article/${article.id}/comments`, { token: other.token, body: { body: 'Same here!' } });
    expect(comment.status).toBe(201);
    expect(comment.json.data).toMatchObject({ body: 'Same here!', author: { id: other.user.id } });
    expectError(await call('DELETE', `/article/comments/${comment.json.data.id}`, { token: fan.token }), 403, 'FORBIDDEN');
    expect((await call('DELETE', `/article/comments/${comment.json.data.id}`, { token: other.token })).json).toEqual({ data: true });

    expect((await call('POST', `/article/${article.id}/like`, { token: other.token })).json.data).toEqual({
      id: article.id,
      likeCount: 1,
      viewerHasLiked: true,
    });
    expect((await call('DELETE', `/article/${article.id}/like`, { token: other.token })).json.data).toEqual({
      id: article.id,
      likeCount: 0,
      viewerHasLiked: false,
    });
    expect((await call('POST', `/article/${article.id}/bookmark`, { token: other.token })).json.data).toEqual({ id: article.id, viewerHasBookmarked: true });
    expect((await call('DELETE', `/article/${article.id}/bookmark`, { token: other.token })).json.data).toEqual({ id: article.id, viewerHasBookmarked: false });

    expect((await call('DELETE', `/article/${article.id}`, { token: fan.token })).json).toEqual({ data: true });
    expectError(await call('GET', `/article/${article.id}`), 404, 'NOT_FOUND');
  });
});

describe('REST: chat', () => {
  it('should create, list, join, message, page and leave rooms', async () => {
    const concert = await createConcert();
    const created = await call('POST', '/chat/rooms', { token: fan.token, body: { name: 'Seoul night fans', concertId: concert.id } });
    expect(created.status).toBe(201);
    const room = created.json.data;
    expect(room).toMatchObject({ name: 'Seoul night fans', memberCount: 1, viewerIsMember: true });

    const listed = await call('GET', `/chat/rooms?concertId=${concert.id}`, { token: other.token });
    expect(listed.json).toEqual({
      data: [expect.objectContaining({ id: room.id, viewerIsMember: false, concert: { id: concert.id, title: concert.title } })],
      nextCursor: null,
    });
    const all = await call('GET', '/chat/rooms?limit=1');
    expect(all.json.data).toHaveLength(1);

    expectError(await call('POST', `/chat/rooms/${room.id}/messages`, { token: other.token, body: { body: 'not a member yet' } }), 403, 'FORBIDDEN');
    const joined = await call('POST', `/chat/rooms/${room.id}/join`, { token: other.token });
    expect(joined.json.data).toEqual({ id: room.id, memberCount: 2, viewerIsMember: true });
    for (const body of ['one', 'two', 'three']) {
      const sent = await call('POST', `/chat/rooms/${room.id}/messages`, { token: other.token, body: { body } });
      expect(sent.status).toBe(201);
      expect(sent.json.data).toMatchObject({ body, author: { id: other.user.id } });
    }

    // Newest last; nextCursor pages back with ?before=.
    const newest = await call('GET', `/chat/rooms/${room.id}/messages?limit=2`);
    expect(newest.json.data.map((m: { body: string }) => m.body)).toEqual(['two', 'three']);
    expect(newest.json.nextCursor).toEqual(expect.any(String));
    const older = await call('GET', `/chat/rooms/${room.id}/messages?limit=2&before=${encodeURIComponent(newest.json.nextCursor)}`);
    expect(older.json).toEqual({ data: [expect.objectContaining({ body: 'one' })], nextCursor: null });
    expectError(await call('GET', `/chat/rooms/${MISSING_ID}/messages`), 404, 'NOT_FOUND');

    const left = await call('POST', `/chat/rooms/${room.id}/leave`, { token: other.token });
    expect(left.json.data).toEqual({ id: room.id, memberCount: 1, viewerIsMember: false });
  });
});

describe('REST: setlists', () => {
  it('should publish a setlist (admins) and read it; a concert without one is 404', async () => {
    const concert = await createConcert();
    expectError(await call('GET', `/setlist/${concert.id}`), 404, 'NOT_FOUND');
    const body = {
      songs: [{ title: 'Love wins all', artist: 'IU' }, { title: 'Blueming' }],
      playlistUrls: ['https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M'],
    };
    expectError(await call('PUT', `/setlist/${concert.id}`, { token: fan.token, body }), 403, 'FORBIDDEN');
    const put = await call('PUT', `/setlist/${concert.id}`, { token: admin.token, body });
    expect(put.status).toBe(200);
    expect(put.json.data.songs).toEqual([
      { order: 1, title: 'Love wins all', artist: 'IU' },
      { order: 2, title: 'Blueming', artist: null },
    ]);
    const read = await call('GET', `/setlist/${concert.id}`);
    expect(read.json.data).toMatchObject({ songs: put.json.data.songs, playlists: [{ provider: 'SPOTIFY', externalId: '37i9dQZF1DXcBWIGoYBM5M' }] });
    expectError(await call('GET', `/setlist/${MISSING_ID}`), 404, 'NOT_FOUND');
  });
});

describe('REST: notifications', () => {
  it('should list and mark notifications, manage devices and preferences', async () => {
    expectError(await call('GET', '/notification'), 401, 'UNAUTHENTICATED');
    expect((await call('GET', '/notification', { token: fan.token })).json).toEqual({ data: [], nextCursor: null });
    expect((await call('POST', '/notification/read', { token: fan.token, body: {} })).json).toEqual({ data: 0 });
    expect((await call('POST', '/notification/read', { token: fan.token, body: { ids: [MISSING_ID] } })).json).toEqual({ data: 0 });

    const token = `fcm-${unique()}`;
    expect((await call('POST', '/notification/devices', { token: fan.token, body: { token, platform: 'ANDROID' } })).json).toEqual({ data: true });
    expect((await call('DELETE', `/notification/devices/${token}`, { token: fan.token })).json).toEqual({ data: true });
    expectError(await call('POST', '/notification/devices', { body: { token, platform: 'ANDROID' } }), 401, 'UNAUTHENTICATED');

    const prefs = await call('PUT', '/notification/preferences', { token: fan.token, body: { ticketOpen: false, concertStartLeadMinutes: 90 } });
    expect(prefs.json.data).toMatchObject({ ticketOpen: false, concertStartLeadMinutes: 90 });
    expect((await call('GET', '/auth/me', { token: fan.token })).json.data.notificationPreferences).toMatchObject({
      ticketOpen: false,
      concertStartLeadMinutes: 90,
    });
    expectError(
      await call('PUT', '/notification/preferences', { token: fan.token, body: { concertStartLeadMinutes: 1 } }),
      400,
      'BAD_USER_INPUT',
      'concertStartLeadMinutes',
    );
  });
});

describe('REST: bad input is 400 with the field named, before any database', () => {
  it('should refuse malformed JSON, non-object bodies and wrong types', async () => {
    expectError(await call('POST', '/auth/login', { body: '{"email": "a@b.c", ' }), 400, 'BAD_USER_INPUT', 'body');
    expectError(await call('POST', '/auth/login', { body: '[1, 2]' }), 400, 'BAD_USER_INPUT', 'body');
    expectError(await call('POST', '/auth/login', { body: '"text"' }), 400, 'BAD_USER_INPUT', 'body');
    expectError(await call('POST', '/auth/login', { body: { email: 5, password: 'x' } }), 400, 'BAD_USER_INPUT', 'email');
    expectError(await call('POST', '/auth/signup', { body: { email: 'a@example.com', password: ['x'], nickname: 'n' } }), 400, 'BAD_USER_INPUT', 'password');
    expectError(await call('POST', '/auth/login', { body: { email: 'a@example.com' } }), 400, 'BAD_USER_INPUT', 'password');
    expectError(await call('POST', '/auth/login', { body: { email: 'a@example.com', password: 'x', admin: true } }), 400, 'BAD_USER_INPUT', 'admin');
    expectError(
      await call('POST', '/auth/signup', { body: { email: 'a@example.com', password: 'x', nickname: 'n', roles: ['ADMIN'] } }),
      400,
      'BAD_USER_INPUT',
      'roles',
    );
    expectError(await call('POST', '/auth/signup'), 400, 'BAD_USER_INPUT', 'email');
    expectError(await call('PUT', '/notification/preferences', { token: fan.token, body: { ticketOpen: 'yes' } }), 400, 'BAD_USER_INPUT', 'ticketOpen');
    expectError(await call('POST', `/concert/${MISSING_ID}/like`, { token: fan.token, body: { extra: 1 } }), 400, 'BAD_USER_INPUT', 'extra');
    // The subgraph's own validation, its field renamed as the client spelled it (input.email → email).
    const invalid = await call('POST', '/auth/signup', { body: { email: 'not-an-email', password: 'correct horse battery staple', nickname: `n${unique()}` } });
    expectError(invalid, 400, 'BAD_USER_INPUT', 'email');
    expect(invalid.json.error.message).not.toContain('input.');
  });

  it('should refuse operator objects without touching the database', async () => {
    stack.commands.reset();
    const res = await call('POST', '/auth/login', { body: { email: { $gt: '' }, password: 'correct horse battery staple' } });
    expectError(res, 400, 'BAD_USER_INPUT', 'email');
    expectError(await call('POST', '/auth/login', { body: { email: fan.email, password: { $ne: null } } }), 400, 'BAD_USER_INPUT', 'password');
    expectError(
      await call('POST', '/auth/signup', { body: { email: 'a@example.com', password: 'correct horse', nickname: { $regex: '.*' } } }),
      400,
      'BAD_USER_INPUT',
      'nickname',
    );
    expectError(await call('GET', '/concert?search[$ne]=x'), 400, 'BAD_USER_INPUT', 'search[$ne]');
    expect(stack.commands.byDomain('users')).toEqual([]);
    expect(stack.commands.byDomain('concerts')).toEqual([]);
  });

  it('should refuse repeated, unknown and out-of-range query parameters', async () => {
    expectError(await call('GET', '/concert?limit=1&limit=2'), 400, 'BAD_USER_INPUT', 'limit');
    expectError(await call('GET', '/concert?status=UPCOMING&status=COMPLETED'), 400, 'BAD_USER_INPUT', 'status');
    for (const limit of ['0', '101', '-1', 'abc', '1.5', '1e2']) expectError(await call('GET', `/concert?limit=${limit}`), 400, 'BAD_USER_INPUT', 'limit');
    expect((await call('GET', '/concert?limit=100')).status).toBe(200);
    expectError(await call('GET', '/concert?sort=title'), 400, 'BAD_USER_INPUT', 'sort');
    expectError(await call('GET', '/concert?status=SOON'), 400, 'BAD_USER_INPUT', 'status');
    expectError(await call('GET', '/concert?from=yesterday'), 400, 'BAD_USER_INPUT', 'from');
    expectError(
      await call('POST', '/concert', { token: admin.token, body: { title: 't', artist: 'a', venue: 'v', startsAt: 'soon' } }),
      400,
      'BAD_USER_INPUT',
      'startsAt',
    );
    expectError(await call('GET', '/concert?cursor=not-a-cursor'), 400, 'BAD_USER_INPUT', 'cursor');
    expectError(await call('GET', `/chat/rooms/${MISSING_ID}/messages?before=a&cursor=b`), 400, 'BAD_USER_INPUT');
  });

  it('should refuse invalid ids in paths, queries and bodies', async () => {
    expectError(await call('GET', '/concert/not-an-id'), 400, 'BAD_USER_INPUT', 'id');
    expectError(await call('GET', '/concert/0123456789abcdef0123456Z'), 400, 'BAD_USER_INPUT', 'id');
    expectError(await call('DELETE', '/article/comments/xyz', { token: fan.token }), 400, 'BAD_USER_INPUT', 'commentId');
    expectError(await call('GET', '/setlist/123'), 400, 'BAD_USER_INPUT', 'concertId');
    expectError(await call('GET', '/article?concertId=nope'), 400, 'BAD_USER_INPUT', 'concertId');
    expectError(await call('POST', '/article', { token: fan.token, body: { title: 't', body: 'b', concertId: 'nope' } }), 400, 'BAD_USER_INPUT', 'concertId');
    expectError(await call('POST', '/notification/read', { token: fan.token, body: { ids: [MISSING_ID, 'bad'] } }), 400, 'BAD_USER_INPUT', 'ids[1]');
  });
});

describe('REST: CSRF, unknown paths, methods and size', () => {
  it('should refuse a cookie-only POST without a JSON content type, and a form or text body', async () => {
    const session = await call('POST', '/auth/login', { body: { email: fan.email, password: fan.password } });
    const cookie = sessionCookieOf(session)!;
    const blocked = await call('POST', '/auth/logout', { cookie, noContentType: true });
    expectError(blocked, 400, 'BAD_REQUEST');
    expect(blocked.json.error.message).toMatch(/Cross-Site Request Forgery/);
    expect((await call('GET', '/auth/me', { cookie })).status).toBe(200);
    expectError(
      await call('POST', '/auth/login', {
        noContentType: true,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `email=${encodeURIComponent(fan.email)}&password=x`,
      }),
      400,
      'BAD_REQUEST',
    );
    expectError(
      await call('POST', '/auth/login', {
        noContentType: true,
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ email: fan.email, password: fan.password }),
      }),
      400,
      'BAD_REQUEST',
    );
    // A bearer token cannot ride along cross-site: a bodyless POST with one is fine.
    const concert = await createConcert();
    expect((await call('POST', `/concert/${concert.id}/like`, { token: fan.token, noContentType: true })).status).toBe(200);
    // And so is the JSON content type with an empty body.
    expect((await call('POST', '/auth/logout', { cookie })).json).toEqual({ data: true });
  });

  it('should answer unknown paths under the REST prefixes with a JSON 404, and a wrong method with 405', async () => {
    for (const path of ['/auth/nope', '/concert/a/b/c', '/chat', '/setlist', '/notification/devices/a/b', '/article/comments/x/y']) {
      expectError(await call('GET', path), 404, 'NOT_FOUND');
    }
    const wrong = await call('PUT', '/concert');
    expectError(wrong, 405, 'METHOD_NOT_ALLOWED');
    expect(wrong.headers.get('allow')).toBe('GET, POST, HEAD');
  });

  it('should answer a body over BODY_LIMIT with 413', async () => {
    expectError(await call('POST', '/auth/login', { body: { email: 'a@example.com', password: 'x'.repeat(200_000) } }), 413, 'PAYLOAD_TOO_LARGE', 'body');
  });
});

describe('REST: the router pipeline decides (rate limits, errors)', () => {
  it('should answer 429 with Retry-After from the same rate limits as /graphql', async () => {
    const limited = await stack.extraRouter({ RATE_LIMIT_PUBLIC_READ: '2' });
    try {
      const viaExtra = restClient(limited.url.replace(/\/graphql$/, ''));
      const user = await signUp(stack);
      expect((await viaExtra('GET', '/auth/me', { token: user.token })).status).toBe(200);
      expect((await viaExtra('GET', '/auth/me', { token: user.token })).status).toBe(200);
      const res = await viaExtra('GET', '/auth/me', { token: user.token });
      expectError(res, 429, 'RATE_LIMITED');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });

  it('should work under OPERATIONS=trusted: each route sends its contract operation verbatim', async () => {
    const trusted = await stack.extraRouter({ OPERATIONS: 'trusted' });
    try {
      const viaTrusted = restClient(trusted.url.replace(/\/graphql$/, ''));
      const outside = await fetch(trusted.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ concerts(first: 1) { totalCount } }' }),
      });
      expect(outside.status).toBe(403);
      expect((await viaTrusted('GET', '/concert?limit=1')).status).toBe(200);
      expect((await viaTrusted('GET', '/auth/me', { token: fan.token })).json.data.id).toBe(fan.user.id);
      expect((await viaTrusted('POST', '/auth/login', { body: { email: fan.email, password: fan.password } })).status).toBe(200);
    } finally {
      await trusted.close();
    }
  });

  it('should answer 503 SUBGRAPH_UNAVAILABLE naming the subgraph, without internals, when a subgraph cannot be reached', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const urls = Object.entries(stack.subgraphUrls).map(([name, url]) => `${name}=${name === 'concerts' ? `http://127.0.0.1:${port}/graphql` : url}`);
    const broken = await stack.extraRouter({ SUBGRAPH_URLS: urls.join(',') });
    try {
      const viaBroken = restClient(broken.url.replace(/\/graphql$/, ''));
      const res = await viaBroken('GET', '/concert');
      expectError(res, 503, 'SUBGRAPH_UNAVAILABLE');
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.json.error.message).toMatch(/concerts service is unavailable/);
      expect(res.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|http:|stack/i);
    } finally {
      await broken.close();
    }
  });
});
