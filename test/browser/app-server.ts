// Serves the test app (./app/app.ts, bundled in memory by esbuild with Apollo Client 4 from the
// local packages) on its own loopback origin, the way a web app is served apart from the API: the
// router admits it by CORS_ORIGINS (with credentials) and at the WebSocket upgrade.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AppConfig } from './app/app.js';

const ENTRY = fileURLToPath(new URL('./app/app.ts', import.meta.url));

/** Bundles the app (one IIFE script, nothing fetched from anywhere at run time). */
async function bundle(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['chrome100'],
    // Apollo Client's development build: its warnings (a missing field, a cache write it could not
    // normalise) reach the console, which the test checks stays clean.
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'warning',
  });
  const [out] = result.outputFiles;
  if (!out) throw new Error('esbuild produced no output for the test app');
  return out.text;
}

const STYLE = `
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; background: #f5f5f7; color: #1d1d1f; }
  header { display: flex; justify-content: space-between; padding: 12px 24px; background: #24124a; color: #fff; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; padding: 16px 24px; }
  section { background: #fff; border-radius: 10px; padding: 14px 18px; box-shadow: 0 1px 3px #0002; }
  h1 { margin: 0 0 4px; font-size: 22px; } h2 { margin: 0 0 8px; font-size: 17px; }
  .muted { color: #666; } .error { color: #b00020; } button { margin-right: 8px; }
  ol, ul { padding-left: 20px; margin: 6px 0; } input { margin-right: 6px; }
`;

const escapeJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function page(config: AppConfig): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>StageLives — Apollo Client test app</title><style>${STYLE}</style></head>
<body>
<header><strong>StageLives · Apollo Client 4</strong><span id="viewer"></span></header>
<main>
  <form id="signin"><h2>Sign in</h2><input id="email" type="email" placeholder="email"><input id="password" type="password" placeholder="password"><button id="signin-button" type="submit">Sign in</button></form>
  <section id="concert" hidden>
    <h1 id="concert-title"></h1>
    <p id="concert-meta" class="muted"></p>
    <p id="concert-description"></p>
    <p><button id="like" type="button"></button><span id="like-count"></span></p>
    <p><span id="room-summary"></span> <button id="open-chat" type="button">Open chat</button></p>
  </section>
  <section id="chat" hidden>
    <h2 id="chat-title"></h2>
    <ol id="messages"></ol>
    <form id="send"><input id="message-body" placeholder="say something"><button id="send-button" type="submit">Send</button></form>
  </section>
  <section id="notifications"><h2>Notifications <span id="unread" class="muted"></span></h2><p id="notifications-state" class="muted"></p><ul id="notification-list"></ul></section>
  <section><h2>Errors</h2><ul id="errors"></ul></section>
</main>
<script type="application/json" id="app-config">${escapeJson(config)}</script>
<script src="/app.js"></script>
</body></html>`;
}

export interface AppServer {
  origin: string;
  /** What the next page load gets. */
  config: AppConfig | undefined;
  close(): Promise<void>;
}

export async function startAppServer(): Promise<AppServer> {
  const script = await bundle();
  const state: AppServer = { origin: '', config: undefined, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else if (path === '/' && state.config) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(state.config));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
