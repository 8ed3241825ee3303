/**
 * The legacy REST routes of `contract/rest.md`, one row each. A row only says how an HTTP
 * request becomes the variables of one contract operation and which part of `data` answers:
 * no rules live here (the subgraphs decide everything, through the router's pipeline).
 */

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call the route (documentation and the OpenAPI `security`; the subgraphs enforce it). */
type Access = 'public' | 'optional' | 'user' | 'admin';

export interface RestRoute {
  method: HttpMethod;
  /** Express-style path (`/concert/:id`). */
  path: string;
  /** A named operation of `contract/*.graphql`, run verbatim. */
  operation: string;
  /** Path parameter → variable path (`id` → `roomId`). */
  params?: Record<string, string>;
  /** Query parameter → variable path (`status` → `filter.status`). */
  query?: Record<string, string>;
  /**
   * The JSON body: `'spread'` when its fields are the operation's remaining variables,
   * or the name of the one variable (an input object) it is.
   */
  body?: 'spread' | string;
  /** Path in `data` of the answer (`concert.setlist`). */
  result: string;
  /**
   * A connection answered as `{data: [nodes], nextCursor}`: `?limit=` feeds `size`, the cursor
   * parameter feeds `cursor`; `backward` pages with last/before (nextCursor = startCursor).
   */
  list?: { size: string; cursor: string; cursorParam?: string; backward?: boolean };
  /** What a null along `result` means: the entity is missing (404) or nobody is signed in (401). */
  whenNull?: { code: 'NOT_FOUND' | 'UNAUTHENTICATED'; what?: string };
  access: Access;
  /** HTTP status of success (default 200). */
  status?: 201;
  /** The answer starts or ends a session (documents `Set-Cookie`). */
  session?: boolean;
  /** Error statuses besides the ones every route may answer (documentation). */
  errors?: number[];
}

const id = { id: 'id' };

export const REST_ROUTES: readonly RestRoute[] = [
  // accounts
  {
    method: 'POST',
    path: '/auth/signup',
    operation: 'SignUp',
    body: 'input',
    result: 'signUp',
    access: 'public',
    status: 201,
    session: true,
    errors: [403, 409],
  },
  { method: 'POST', path: '/auth/login', operation: 'LogIn', body: 'spread', result: 'logIn', access: 'public', session: true, errors: [401, 403] },
  { method: 'POST', path: '/auth/logout', operation: 'LogOut', result: 'logOut', access: 'optional', session: true },
  { method: 'GET', path: '/auth/me', operation: 'Me', result: 'me', access: 'user', whenNull: { code: 'UNAUTHENTICATED' } },
  {
    method: 'POST',
    path: '/auth/google',
    operation: 'SignInWithGoogle',
    body: 'spread',
    result: 'signInWithGoogle',
    access: 'public',
    session: true,
    errors: [401, 403, 409],
  },
  {
    method: 'POST',
    path: '/auth/apple',
    operation: 'SignInWithApple',
    body: 'spread',
    result: 'signInWithApple',
    access: 'public',
    session: true,
    errors: [401, 403, 409],
  },
  // account recovery and verification (not in contract/rest.md: added with the GraphQL operations)
  {
    method: 'POST',
    path: '/auth/password/forgot',
    operation: 'RequestPasswordReset',
    body: 'spread',
    result: 'requestPasswordReset',
    access: 'public',
  },
  { method: 'POST', path: '/auth/password/reset', operation: 'ResetPassword', body: 'spread', result: 'resetPassword', access: 'public', session: true },
  { method: 'POST', path: '/auth/email/verify', operation: 'VerifyEmail', body: 'spread', result: 'verifyEmail', access: 'public' },

  // concerts
  {
    method: 'GET',
    path: '/concert',
    operation: 'Concerts',
    query: { status: 'filter.status', search: 'filter.search', artist: 'filter.artist', from: 'filter.from', to: 'filter.to' },
    list: { size: 'first', cursor: 'after' },
    result: 'concerts',
    access: 'optional',
  },
  {
    method: 'GET',
    path: '/concert/:id',
    operation: 'Concert',
    params: id,
    result: 'concert',
    access: 'optional',
    whenNull: { code: 'NOT_FOUND', what: 'Concert' },
  },
  { method: 'POST', path: '/concert', operation: 'CreateConcert', body: 'input', result: 'createConcert', access: 'admin', status: 201 },
  { method: 'PATCH', path: '/concert/:id', operation: 'UpdateConcert', params: id, body: 'input', result: 'updateConcert', access: 'admin', errors: [404] },
  { method: 'DELETE', path: '/concert/:id', operation: 'DeleteConcert', params: id, result: 'deleteConcert', access: 'admin', errors: [404] },
  { method: 'POST', path: '/concert/:id/like', operation: 'LikeConcert', params: id, result: 'likeConcert', access: 'user', errors: [404] },
  { method: 'DELETE', path: '/concert/:id/like', operation: 'UnlikeConcert', params: id, result: 'unlikeConcert', access: 'user', errors: [404] },

  // articles
  {
    method: 'GET',
    path: '/article',
    operation: 'Articles',
    query: { concertId: 'filter.concertId', search: 'filter.search' },
    list: { size: 'first', cursor: 'after' },
    result: 'articles',
    access: 'optional',
  },
  {
    method: 'GET',
    path: '/article/:id',
    operation: 'Article',
    params: id,
    result: 'article',
    access: 'optional',
    whenNull: { code: 'NOT_FOUND', what: 'Article' },
  },
  { method: 'POST', path: '/article', operation: 'CreateArticle', body: 'input', result: 'createArticle', access: 'user', status: 201, errors: [403, 404] },
  { method: 'PATCH', path: '/article/:id', operation: 'UpdateArticle', params: id, body: 'input', result: 'updateArticle', access: 'user', errors: [403, 404] },
  { method: 'DELETE', path: '/article/:id', operation: 'DeleteArticle', params: id, result: 'deleteArticle', access: 'user', errors: [403, 404] },
  {
    method: 'POST',
    path: '/article/:id/comments',
    operation: 'AddComment',
    params: { id: 'articleId' },
    body: 'spread',
    result: 'addComment',
    access: 'user',
    status: 201,
    errors: [403, 404],
  },
  {
    method: 'DELETE',
    path: '/article/comments/:commentId',
    operation: 'DeleteComment',
    params: { commentId: 'id' },
    result: 'deleteComment',
    access: 'user',
    errors: [403, 404],
  },
  { method: 'POST', path: '/article/:id/like', operation: 'LikeArticle', params: id, result: 'likeArticle', access: 'user', errors: [404] },
  { method: 'DELETE', path: '/article/:id/like', operation: 'UnlikeArticle', params: id, result: 'unlikeArticle', access: 'user', errors: [404] },
  { method: 'POST', path: '/article/:id/bookmark', operation: 'BookmarkArticle', params: id, result: 'bookmarkArticle', access: 'user', errors: [404] },
  { method: 'DELETE', path: '/article/:id/bookmark', operation: 'UnbookmarkArticle', params: id, result: 'unbookmarkArticle', access: 'user', errors: [404] },

  // chat
  {
    method: 'GET',
    path: '/chat/rooms',
    operation: 'ChatRooms',
    query: { concertId: 'concertId' },
    list: { size: 'first', cursor: 'after' },
    result: 'chatRooms',
    access: 'optional',
  },
  { method: 'POST', path: '/chat/rooms', operation: 'CreateChatRoom', body: 'input', result: 'createChatRoom', access: 'user', status: 201, errors: [404] },
  { method: 'POST', path: '/chat/rooms/:id/join', operation: 'JoinChatRoom', params: { id: 'roomId' }, result: 'joinChatRoom', access: 'user', errors: [404] },
  {
    method: 'POST',
    path: '/chat/rooms/:id/leave',
    operation: 'LeaveChatRoom',
    params: { id: 'roomId' },
    result: 'leaveChatRoom',
    access: 'user',
    errors: [404],
  },
  {
    method: 'GET',
    path: '/chat/rooms/:id/messages',
    operation: 'ChatMessages',
    params: { id: 'roomId' },
    list: { size: 'last', cursor: 'before', cursorParam: 'before', backward: true },
    result: 'chatRoom.messages',
    access: 'optional',
    whenNull: { code: 'NOT_FOUND', what: 'Chat room' },
  },
  {
    method: 'POST',
    path: '/chat/rooms/:id/messages',
    operation: 'SendMessage',
    params: { id: 'roomId' },
    body: 'spread',
    result: 'sendMessage',
    access: 'user',
    status: 201,
    errors: [403, 404],
  },

  // setlists
  {
    method: 'GET',
    path: '/setlist/:concertId',
    operation: 'Setlist',
    params: { concertId: 'concertId' },
    result: 'concert.setlist',
    access: 'optional',
    whenNull: { code: 'NOT_FOUND', what: 'Setlist' },
  },
  {
    method: 'PUT',
    path: '/setlist/:concertId',
    operation: 'UpsertSetlist',
    params: { concertId: 'concertId' },
    body: 'input',
    result: 'upsertSetlist',
    access: 'admin',
    errors: [404],
  },

  // notifications
  {
    method: 'GET',
    path: '/notification',
    operation: 'MyNotifications',
    list: { size: 'first', cursor: 'after' },
    result: 'me.notifications',
    access: 'user',
    whenNull: { code: 'UNAUTHENTICATED' },
  },
  { method: 'POST', path: '/notification/read', operation: 'MarkNotificationsRead', body: 'spread', result: 'markNotificationsRead', access: 'user' },
  { method: 'POST', path: '/notification/devices', operation: 'RegisterDevice', body: 'spread', result: 'registerDevice', access: 'user' },
  {
    method: 'DELETE',
    path: '/notification/devices/:token',
    operation: 'UnregisterDevice',
    params: { token: 'token' },
    result: 'unregisterDevice',
    access: 'user',
  },
  {
    method: 'PUT',
    path: '/notification/preferences',
    operation: 'UpdateNotificationPreferences',
    body: 'input',
    result: 'updateNotificationPreferences',
    access: 'user',
  },
];

/** First path segments the shim owns: anything else under them is a JSON 404. */
export const REST_PREFIXES = ['/auth', '/concert', '/article', '/chat', '/setlist', '/notification'] as const;

export const LIMIT = { default: 20, max: 100 } as const;

/** `/concert/:id` → `/concert/{id}` (OpenAPI path templating). */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z]\w*)/g, '{$1}');
