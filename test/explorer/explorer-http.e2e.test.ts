import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRouterConfig } from '@stagelives/router/config';
import { ensureExplorerAssets } from '../../router/src/explorer/build.mjs';
import { explorerEnabled } from '../../router/src/explorer/explorer.js';
import { startStack, type Stack } from '../support/harness.js';

/** What Chromium sends when navigating to a page. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';
const getPage = (url: string, accept = BROWSER_ACCEPT) => fetch(url, { headers: { accept } });

let stack: Stack;
beforeAll(async () => {
  await ensureExplorerAssets();
  stack = await startStack();
});
afterAll(() => stack?.close());

/** The script and stylesheet the page links (they must be ours, under /graphql/explorer/). */
function assetsOf(html: string) {
  const js = /<script defer src="(\/graphql\/explorer\/explorer-[A-Z0-9]+\.js)"><\/script>/.exec(html)?.[1];
  const css = /<link rel="stylesheet" href="(\/graphql\/explorer\/explorer-[A-Z0-9]+\.css)">/.exec(html)?.[1];
  return { js, css };
}

describe('the schema explorer page over HTTP', () => {
  it('should serve GraphiQL to a browser at GET /graphql outside production, with local assets and a strict page CSP', async () => {
    const res = await getPage(stack.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('vary')).toMatch(/Accept/i);
    const html = await res.text();
    expect(html).toContain('<div id="graphiql">');
    // No inline script: the only script element with content is JSON, which never executes.
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.filter(([, attrs, body]) => body!.trim() !== '' && !/type="application\/json"/.test(attrs!))).toEqual([]);
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/);

    const host = new URL(stack.url).host;
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      "script-src 'self'",
      `style-src 'self' 'nonce-${nonce}'`,
      "font-src 'self' data:",
      "img-src 'self'",
      `connect-src 'self' ws://${host} wss://${host}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ]);
    expect(csp).not.toContain('unsafe');
    // The nonce is fresh on every load.
    const again = (await getPage(stack.url)).headers.get('content-security-policy');
    expect(again).not.toContain(nonce);

    const { js, css } = assetsOf(html);
    expect(js && css).toBeTruthy();
    const script = await fetch(`${stack.baseUrl}${js}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect((await script.text()).length).toBeGreaterThan(100_000);
    const style = await fetch(`${stack.baseUrl}${css}`);
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await style.text()).toContain('.graphiql-container');
    expect((await fetch(`${stack.baseUrl}/graphql/explorer/nope.js`)).status).toBe(404);
  });

  it('should leave the API as it is: JSON clients, GET operations and the API’s own CSP', async () => {
    // A client that does not prefer HTML gets the API, not the page.
    for (const accept of ['application/json', '*/*', 'application/graphql-response+json']) {
      const res = await getPage(stack.url, accept);
      expect(res.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    }
    // A GET with an operation is an operation, even from a browser (here refused by CSRF prevention: no preflight header).
    const op = await getPage(`${stack.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(op.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    const preflighted = await fetch(`${stack.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: BROWSER_ACCEPT, 'apollo-require-preflight': 'true' },
    });
    expect(await preflighted.json()).toEqual({ data: { __typename: 'Query' } });
    // The API keeps helmet's policy: no nonce, no WebSocket sources, default-src 'self'.
    const api = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    const apiCsp = api.headers.get('content-security-policy') ?? '';
    expect(apiCsp).toContain("default-src 'self'");
    expect(apiCsp).not.toMatch(/nonce|ws:|wss:/);
  });

  it('should read EXPLORER: unset or empty means on outside production only', () => {
    const enabled = (env: Record<string, string>) => explorerEnabled(loadRouterConfig({ ...stack.env, ...env }));
    expect([enabled({}), enabled({ EXPLORER: '' }), enabled({ NODE_ENV: 'development' })]).toEqual([true, true, true]);
    expect([enabled({ NODE_ENV: 'production' }), enabled({ NODE_ENV: 'production', EXPLORER: '' }), enabled({ EXPLORER: 'false' })]).toEqual([
      false,
      false,
      false,
    ]);
    expect(enabled({ NODE_ENV: 'production', EXPLORER: 'true' })).toBe(true);
    expect(() => enabled({ EXPLORER: 'maybe' })).toThrow(/EXPLORER/);
  });

  it('should be off in production unless EXPLORER=true, and on with it', async () => {
    const production = await stack.extraRouter({ NODE_ENV: 'production' });
    const explicitOn = await stack.extraRouter({ NODE_ENV: 'production', EXPLORER: 'true' });
    const explicitOff = await stack.extraRouter({ EXPLORER: 'false' });
    try {
      const { js } = assetsOf(await (await getPage(stack.url)).text());
      for (const off of [production, explicitOff]) {
        const res = await getPage(off.url);
        expect(res.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
        expect(await res.text()).not.toContain('graphiql');
        expect(res.headers.get('content-security-policy')).not.toContain('nonce');
        const asset = await fetch(off.url.replace('/graphql', js!));
        expect(asset.headers.get('content-type') ?? '').not.toMatch(/javascript/);
      }
      const on = await getPage(explicitOn.url);
      expect(on.status).toBe(200);
      expect(await on.text()).toContain('<div id="graphiql">');
      expect(on.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect((await fetch(explicitOn.url.replace('/graphql', js!))).status).toBe(200);
    } finally {
      await Promise.all([production.close(), explicitOn.close(), explicitOff.close()]);
    }
  });
});
