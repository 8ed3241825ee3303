import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type Request } from 'express';
import type { Logger } from '@stagelives/platform';
import type { RouterConfig } from '../config.js';
import { explorerAssetsDir, type ExplorerManifest } from './build.mjs';

/** Where the explorer's script and stylesheet are served (under the API path, beside it). */
const EXPLORER_ASSETS_PATH = '/graphql/explorer';

/** On in development and test; in production only with EXPLORER=true. */
export const explorerEnabled = (config: Pick<RouterConfig, 'NODE_ENV' | 'EXPLORER'>) => config.EXPLORER ?? config.NODE_ENV !== 'production';

/** A browser navigating to /graphql: a GET without an operation that prefers HTML to JSON. */
function wantsPage(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.query.query !== undefined || req.query.extensions !== undefined) return false;
  return req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

/** A Host header fit to appear in a CSP source (no spaces, quotes or semicolons); otherwise none. */
const safeHost = (host: string | undefined) => (host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : undefined);

/**
 * The page's own policy (the API keeps helmet's): its script and stylesheet from here only, no
 * inline script; GraphiQL's fonts are data: URLs in the stylesheet; requests to this origin and
 * its WebSocket (the same host: `'self'` does not cover ws: in every browser); the one style
 * element a dialog library inserts carries the page's nonce.
 */
function explorerCsp(host: string | undefined, styleNonce: string): string {
  const wsHost = safeHost(host);
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${styleNonce}'`,
    "font-src 'self' data:",
    "img-src 'self'",
    `connect-src 'self'${wsHost ? ` ws://${wsHost} wss://${wsHost}` : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

function readManifest(): ExplorerManifest | null {
  try {
    return JSON.parse(readFileSync(join(explorerAssetsDir, 'manifest.json'), 'utf8')) as ExplorerManifest;
  } catch {
    return null;
  }
}

/** JSON safe inside a <script type="application/json"> element. */
const jsonForHtml = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

function page(manifest: ExplorerManifest, styleNonce: string): string {
  const config = jsonForHtml({ path: '/graphql', styleNonce });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>stagelives · GraphiQL</title>
<link rel="stylesheet" href="${EXPLORER_ASSETS_PATH}/${manifest.css}">
<script type="application/json" id="explorer-config">${config}</script>
<script defer src="${EXPLORER_ASSETS_PATH}/${manifest.js}"></script>
</head>
<body>
<div id="graphiql">Loading the schema explorer…</div>
</body>
</html>
`;
}

/**
 * The schema explorer: GraphiQL at `GET /graphql` for browsers (Accept: text/html, no `query`),
 * its assets under /graphql/explorer/, built locally by scripts/ensure.mjs (build.mjs). An empty
 * router when off, so /graphql answers as the API alone. Mounted before the GraphQL middleware.
 */
export function explorer(config: RouterConfig, logger: Logger): Router {
  const router = Router();
  if (!explorerEnabled(config)) return router;
  if (!readManifest()) logger.warn('the schema explorer is on but its assets are not built: run `node scripts/ensure.mjs`');

  router.get('/graphql', (req, res, next) => {
    if (!wantsPage(req)) return next();
    res.vary('Accept');
    const manifest = readManifest();
    if (!manifest) {
      res.status(503).type('text/plain').send('The schema explorer’s assets are not built: run `node scripts/ensure.mjs` (npm run dev and npm test do).\n');
      return;
    }
    const styleNonce = randomBytes(16).toString('base64');
    res.setHeader('Content-Security-Policy', explorerCsp(req.headers.host, styleNonce));
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(page(manifest, styleNonce));
  });
  // File names carry a content hash: cache them for good. Unknown files are a 404 here.
  router.use(EXPLORER_ASSETS_PATH, express.static(explorerAssetsDir, { index: false, immutable: true, maxAge: '365d', fallthrough: false }));
  return router;
}
