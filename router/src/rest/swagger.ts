import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express from 'express';
import type { GraphQLSchema } from 'graphql';

const require = createRequire(import.meta.url);
/** swagger-ui-dist's installed files: served from disk, never from a CDN. */
const SWAGGER_DIST = dirname(require.resolve('swagger-ui-dist/package.json'));

/** The assets the page uses, and nothing else of the package (its own index.html points at the petstore). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

// No inline script or style: the router's CSP (`script-src 'self'`) allows every part of it.
const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>stagelives REST API</title>
    <link rel="stylesheet" href="/api-docs/swagger-ui.css">
    <link rel="icon" type="image/png" href="/api-docs/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="/api-docs/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api-docs/swagger-ui-bundle.js"></script>
    <script src="/api-docs/init.js"></script>
  </body>
</html>
`;

/** Starts Swagger UI on the generated document; no validator badge (it would call validator.swagger.io). */
const INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api-docs/openapi.json',
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    deepLinking: true,
  });
});
`;

/**
 * `/api-docs/openapi.json` (the generated document, rebuilt when the gateway loads a new schema)
 * and Swagger UI at `/api-docs`.
 */
export function apiDocs({ schema, generate }: { schema: () => GraphQLSchema | undefined; generate: (schema: GraphQLSchema) => Record<string, unknown> }) {
  let cached: { schema: GraphQLSchema; body: string } | undefined;
  const router = express.Router();
  router.get('/api-docs/openapi.json', (_req, res) => {
    const current = schema();
    if (!current) {
      res.status(503).json({ error: { code: 'SERVICE_UNAVAILABLE', message: 'The API is starting. Please try again shortly.' } });
      return;
    }
    if (cached?.schema !== current) cached = { schema: current, body: JSON.stringify(generate(current), null, 2) };
    res.type('application/json').setHeader('cache-control', 'no-cache').send(cached.body);
  });
  router.get('/api-docs', (_req, res) => {
    res.type('text/html; charset=utf-8').setHeader('cache-control', 'no-cache').send(PAGE);
  });
  router.get('/api-docs/init.js', (_req, res) => {
    res.type('text/javascript; charset=utf-8').setHeader('cache-control', 'no-cache').send(INIT);
  });
  for (const [file, type] of Object.entries(ASSETS)) {
    router.get(`/api-docs/${file}`, (_req, res, next) => {
      res.sendFile(join(SWAGGER_DIST, file), { headers: { 'content-type': type }, maxAge: '1d' }, (error) => error && next(error));
    });
  }
  return router;
}
