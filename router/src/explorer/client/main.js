// The schema explorer's browser entry: GraphiQL from the local `graphiql` packages, bundled by
// ../build.mjs into one script and one stylesheet the router serves (no CDN, no inline script).
// Plain JavaScript with createElement (no JSX): the repository's tsc covers Node code only.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';
import 'graphiql/graphiql.css';
import './explorer.css';

/** Read from `<script type="application/json" id="explorer-config">`, written by the router. */
const config = JSON.parse(document.getElementById('explorer-config')?.textContent || '{}');
// The page's CSP admits no inline style but this nonce's: the dialog library's scroll lock
// (react-style-singleton) inserts a <style> element with the nonce it finds here.
if (config.styleNonce) window.__webpack_nonce__ = config.styleNonce;
const httpUrl = new URL(config.path || '/graphql', window.location.href);
const wsUrl = new URL(httpUrl);
wsUrl.protocol = httpUrl.protocol === 'https:' ? 'wss:' : 'ws:';

// Subscriptions go over graphql-ws (graphql-transport-ws) on the same path. The upgrade request
// carries the session cookie (same origin), so a developer signed in with logIn can subscribe;
// an Authorization header typed in GraphiQL's headers pane is sent as connectionParams instead.
// The socket opens with the first subscription and closes with the last, so a sign-in made in
// between is picked up by the next one.
let authorization;
let ws;
let wsAuthorization;
function wsClientFor(headers) {
  const next = Object.entries(headers || {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  if (ws && wsAuthorization !== next) {
    void ws.dispose();
    ws = undefined;
  }
  if (!ws) {
    wsAuthorization = next;
    ws = createClient({
      url: wsUrl.href,
      lazy: true,
      lazyCloseTimeout: 0,
      retryAttempts: 0,
      connectionParams: () => (wsAuthorization ? { authorization: String(wsAuthorization) } : {}),
    });
  }
  return ws;
}

/** What the fetcher uses of a graphql-ws client: subscribe, on the client for the current headers. */
const wsProxy = { subscribe: (payload, sink) => wsClientFor(authorization).subscribe(payload, sink) };

const baseFetcher = createGraphiQLFetcher({
  url: httpUrl.href,
  wsClient: wsProxy,
  // The session cookie goes along with every request (and logIn's Set-Cookie is kept).
  fetch: (input, init) => window.fetch(input, { ...init, credentials: 'same-origin' }),
});

function fetcher(params, options) {
  authorization = options?.headers;
  return baseFetcher(params, options);
}

const defaultQuery = `# stagelives schema explorer (GraphiQL).
#
# Sign in: run the logIn mutation below; the router sets the session cookie, which every
# following query, mutation and subscription (graphql-ws on this path) carries.
# Or put {"Authorization": "Bearer <sessionToken>"} in the Headers pane.

mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { user { id nickname } }
}

query Me {
  me { id nickname email }
}

subscription MessageAdded($roomId: ID!) {
  messageAdded(roomId: $roomId) { seq body createdAt author { nickname } }
}
`;

createRoot(document.getElementById('graphiql')).render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  }),
);
