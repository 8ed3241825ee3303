// A small fan-facing web app on Apollo Client 4, bundled by ../app-server.ts with esbuild and
// driven in headless Chromium by ../apollo-client.e2e.test.ts. It is what a client team would
// write: a normalised InMemoryCache, an HttpLink that sends the session cookie (credentials:
// 'include', the page is on its own origin) and a GraphQLWsLink for subscriptions, chosen by
// `split`. The operations are the client contract's (contract/*.graphql), handed over by the
// page's config. It renders what it receives and records it on `window.stagelivesApp` for the test.
//
// The repository's tsc has no DOM library (Node code only): the few DOM members used here are
// declared below, for this file alone.
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, gql, HttpLink, InMemoryCache, type NormalizedCacheObject } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';

interface El {
  textContent: string | null;
  value: string;
  hidden: boolean;
  disabled: boolean;
  className: string;
  dataset: Record<string, string | undefined>;
  append(...nodes: Array<El | string>): void;
  replaceChildren(...nodes: Array<El | string>): void;
  addEventListener(type: string, listener: (event: { preventDefault(): void }) => void): void;
}
declare const document: { getElementById(id: string): El | null; createElement(tag: string): El };
declare const window: { stagelivesApp?: AppHandle };

/** What the test server writes into `<script type="application/json" id="app-config">`. */
export interface AppConfig {
  httpUrl: string;
  wsUrl: string;
  concertId: string;
  /** Contract operations by name: LogIn, Concert, LikeConcert, JoinChatRoom, ChatMessages, SendMessage, MessageAdded, MyNotifications and, once built, NotificationAdded. */
  operations: Record<string, string>;
}

/** An error as Apollo Client handed it to the app. */
export interface SeenError {
  operation: string;
  name: string;
  /** `CombinedGraphQLErrors.is(error)`: the server answered with GraphQL errors. */
  combined: boolean;
  codes: unknown[];
  fields: unknown[];
  message: string;
}

export interface AppHandle {
  /** Operations that went through the link chain, in order: `<type> <name>`. */
  sent: string[];
  /** Subscription results received, per operation name (data only). */
  received: Record<string, unknown[]>;
  errors: SeenError[];
  /** Errors thrown by the app itself (should stay empty). */
  failures: string[];
  /** `client.cache.extract()`: the normalised cache, keyed by `<__typename>:<id>`. */
  cache(): NormalizedCacheObject;
  /** Subscribes to another room's messages (a room the viewer has not joined, for the FORBIDDEN case). */
  watchRoom(roomId: string): void;
}

const config = JSON.parse(document.getElementById('app-config')?.textContent ?? '{}') as AppConfig;
const op = (name: string) => {
  const source = config.operations[name];
  if (!source) throw new Error(`operation ${name} missing from the page config`);
  return gql(source);
};

const $ = (id: string): El => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el;
};
const el = (tag: string, text: string, className = ''): El => {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
};

const app: AppHandle = {
  sent: [],
  received: {},
  errors: [],
  failures: [],
  cache: () => cache.extract(),
  watchRoom: (roomId) => watchMessages(roomId, () => undefined),
};
window.stagelivesApp = app;

// ---- the client -------------------------------------------------------------------------------

const record = new ApolloLink((operation, forward) => {
  app.sent.push(`${operation.operationType} ${operation.operationName ?? '(anonymous)'}`);
  return forward(operation);
});
// The socket opens with the first subscription (after sign-in), so its upgrade carries the cookie.
const wsLink = new GraphQLWsLink(createClient({ url: config.wsUrl, lazy: true, retryAttempts: 0 }));
const httpLink = new HttpLink({ uri: config.httpUrl, credentials: 'include' });
const cache = new InMemoryCache();
const client = new ApolloClient({
  cache,
  link: ApolloLink.from([record, ApolloLink.split((operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION, wsLink, httpLink)]),
});

function seen(operation: string, error: unknown): SeenError {
  const e = error as Error;
  const combined = CombinedGraphQLErrors.is(error);
  const errors = combined ? error.errors : [];
  const seenError: SeenError = {
    operation,
    name: e?.name ?? typeof error,
    combined,
    codes: errors.map((x) => x.extensions?.code),
    fields: errors.map((x) => x.extensions?.field),
    message: e?.message ?? String(error),
  };
  app.errors.push(seenError);
  $('errors').append(el('li', `${operation}: ${seenError.name} ${seenError.codes.join(', ')} — ${seenError.message}`, 'error'));
  return seenError;
}

const fail = (error: unknown) => {
  app.failures.push(String((error as Error)?.stack ?? error));
  $('errors').append(el('li', `app failure: ${String(error)}`, 'error'));
};

// ---- screens ----------------------------------------------------------------------------------

interface ConcertView {
  id: string;
  title: string;
  description: string | null;
  artist: string;
  venue: string;
  startsAt: string;
  status: string;
  likeCount: number;
  viewerHasLiked: boolean;
  chatRoom: { id: string; name: string; memberCount: number } | null;
}
interface MessageView {
  id: string;
  body: string;
  author: { nickname: string };
}
interface NotificationView {
  id: string;
  kind: string;
  title: string;
  body: string;
}

let concert: ConcertView | undefined;

function renderConcert(c: ConcertView) {
  concert = c;
  $('concert').hidden = false;
  $('concert-title').textContent = c.title;
  $('concert-meta').textContent = `${c.artist} · ${c.venue} · ${c.startsAt.slice(0, 16).replace('T', ' ')} UTC · ${c.status}`;
  $('concert-description').textContent = c.description ?? '';
  $('like-count').textContent = `${c.likeCount} ${c.likeCount === 1 ? 'like' : 'likes'}`;
  $('like').textContent = c.viewerHasLiked ? '♥ Liked' : '♡ Like';
  $('like').disabled = c.viewerHasLiked;
  $('room-summary').textContent = c.chatRoom
    ? `Chat: ${c.chatRoom.name} (${c.chatRoom.memberCount} ${c.chatRoom.memberCount === 1 ? 'member' : 'members'})`
    : 'No chat room';
  $('open-chat').hidden = !c.chatRoom;
}

function showConcert() {
  // The page's one watched query: every later change to Concert:<id> in the cache re-renders it.
  client.watchQuery<{ concert: ConcertView | null }>({ query: op('Concert'), variables: { id: config.concertId } }).subscribe({
    next: (result) => {
      if (result.error) seen('Concert', result.error);
      else if (result.dataState === 'complete' && result.data.concert) renderConcert(result.data.concert);
    },
    error: fail,
  });
}

function watchMessages(roomId: string, onMessage: (m: MessageView) => void) {
  const name = 'MessageAdded';
  client.subscribe<{ messageAdded: MessageView }>({ query: op(name), variables: { roomId } }).subscribe({
    next: (result) => {
      if (result.error) return void seen(`${name} ${roomId}`, result.error);
      if (!result.data) return;
      (app.received[name] ??= []).push(result.data);
      onMessage(result.data.messageAdded);
    },
    error: (error) => void seen(`${name} ${roomId}`, error),
  });
}

const shown = new Set<string>();
function showMessage(m: MessageView) {
  if (shown.has(m.id)) return;
  shown.add(m.id);
  const item = el('li', '', 'message');
  item.dataset.id = m.id;
  item.append(el('b', m.author.nickname), el('span', ` ${m.body}`));
  $('messages').append(item);
}

async function openChat() {
  const room = concert?.chatRoom;
  if (!room) return;
  $('open-chat').disabled = true;
  try {
    await client.mutate({ mutation: op('JoinChatRoom'), variables: { roomId: room.id } });
    watchMessages(room.id, showMessage);
    const { data } = await client.query<{ chatRoom: { name: string; messages: { edges: Array<{ node: MessageView }> } } }>({
      query: op('ChatMessages'),
      variables: { roomId: room.id, last: 50 },
    });
    $('chat').hidden = false;
    $('chat-title').textContent = data?.chatRoom.name ?? '';
    for (const { node } of data?.chatRoom.messages.edges ?? []) showMessage(node);
    $('chat').dataset.roomId = room.id;
  } catch (error) {
    seen('JoinChatRoom', error);
  }
}

async function sendMessage(body: string) {
  const roomId = $('chat').dataset.roomId;
  try {
    // Shown when it comes back through the subscription, not from this answer.
    await client.mutate({ mutation: op('SendMessage'), variables: { roomId, body } });
    $('message-body').value = '';
  } catch (error) {
    seen('SendMessage', error);
  }
}

async function like() {
  if (!concert) return;
  try {
    // No refetch and no cache update function: the answer `{ id likeCount viewerHasLiked }` is
    // merged into Concert:<id> by the normalised cache, and the watched Concert query re-renders.
    await client.mutate({ mutation: op('LikeConcert'), variables: { id: concert.id } });
  } catch (error) {
    seen('LikeConcert', error);
  }
}

async function refreshUnread() {
  const { data } = await client.query<{ me: { notifications: { unreadCount: number } } }>({
    query: op('MyNotifications'),
    variables: { first: 20 },
    fetchPolicy: 'network-only',
  });
  $('unread').textContent = `${data?.me.notifications.unreadCount ?? '?'} unread`;
}

function watchNotifications() {
  if (!config.operations.NotificationAdded) {
    $('notifications-state').textContent = 'notificationAdded is not in the graph yet';
    return;
  }
  $('notifications-state').textContent = 'listening';
  client.subscribe<{ notificationAdded: NotificationView }>({ query: op('NotificationAdded') }).subscribe({
    next: (result) => {
      if (result.error) return void seen('NotificationAdded', result.error);
      if (!result.data) return;
      (app.received.NotificationAdded ??= []).push(result.data);
      const n = result.data.notificationAdded;
      const item = el('li', '', 'notification');
      item.dataset.id = n.id;
      item.append(el('b', `${n.title} `), el('span', `${n.body} (${n.kind})`));
      $('notification-list').append(item);
      refreshUnread().catch(fail);
    },
    error: (error) => void seen('NotificationAdded', error),
  });
}

async function signIn(email: string, password: string) {
  try {
    const { data } = await client.mutate<{ logIn: { user: { nickname: string; email: string } } }>({
      mutation: op('LogIn'),
      variables: { email, password },
    });
    $('viewer').textContent = `Signed in as ${data?.logIn.user.nickname}`;
    $('signin').hidden = true;
    showConcert();
    watchNotifications();
    await refreshUnread();
  } catch (error) {
    seen('LogIn', error);
  }
}

// ---- wiring -----------------------------------------------------------------------------------

$('signin').addEventListener('submit', (event) => {
  event.preventDefault();
  signIn($('email').value, $('password').value).catch(fail);
});
$('like').addEventListener('click', () => void like().catch(fail));
$('open-chat').addEventListener('click', () => void openChat().catch(fail));
$('send').addEventListener('submit', (event) => {
  event.preventDefault();
  sendMessage($('message-body').value).catch(fail);
});
$('viewer').textContent = 'Signed out';
