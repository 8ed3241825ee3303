import { existsSync, readFileSync } from 'node:fs';
import { compileErrors, validate } from '@readme/openapi-parser';
import { getNamedType, isEnumType, isInputObjectType, isNonNullType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSchemaOf, CONTRACT_DIR, readSupergraph } from '@stagelives/schema/tooling';
import { startStack, type Stack } from '../support/harness.js';

/** The rows of contract/rest.md: method and OpenAPI path. */
function restRows(): Array<{ method: string; path: string }> {
  const text = readFileSync(`${CONTRACT_DIR}/rest.md`, 'utf8');
  return [...text.matchAll(/^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*(\S+)\s*\|/gm)].map(([, method, path]) => ({
    method: method!.toLowerCase(),
    path: path!.replace(/:([A-Za-z]\w*)/g, '{$1}'),
  }));
}

/** Paths the shim has beyond contract/rest.md's rows: account recovery and verification (issue 24). */
const ADDED_ROWS = ['post /auth/password/forgot', 'post /auth/password/reset', 'post /auth/email/verify'];

let stack: Stack;
let doc: any;
beforeAll(async () => {
  stack = await startStack();
  const res = await fetch(`${stack.baseUrl}/api-docs/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = await res.json();
});
afterAll(() => stack?.close());

describe('OpenAPI document', () => {
  it('should be a valid OpenAPI 3.1 document (by @readme/openapi-parser)', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(result.specification).toBe('OpenAPI');
  });

  it('should describe every row of contract/rest.md, the health rows included, and the account-email paths', () => {
    const rows = restRows();
    expect(rows.length).toBeGreaterThanOrEqual(40);
    const missing = rows.filter(({ method, path }) => !doc.paths[path]?.[method]).map(({ method, path }) => `${method} ${path}`);
    expect(missing).toEqual([]);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual([...rows.map(({ method, path }) => `${method} ${path}`), ...ADDED_ROWS].sort());
    // Their bodies are the operations' variables; EMAIL_NOT_VERIFIED is one of the 403 codes.
    expect(doc.paths['/auth/password/reset'].post.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['token', 'newPassword'],
      additionalProperties: false,
    });
    expect(doc.paths['/auth/password/forgot'].post.requestBody.content['application/json'].schema).toMatchObject({ required: ['email'] });
    expect(doc.paths['/auth/email/verify'].post.responses['200'].content['application/json'].schema.properties.data.properties).toHaveProperty('emailVerified');
    expect(doc.components.responses.Forbidden.content['application/json'].example).toBeDefined();
    expect(doc.paths['/article'].post.responses['403']).toBeDefined();
  });

  it('should carry the error envelope, the rate-limit header and both security schemes', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      cookieAuth: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'sl_session' }),
    });
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message']);
    expect(doc.components.responses.RateLimited.headers['Retry-After']).toBeDefined();
    const me = doc.paths['/auth/me'].get;
    expect(me.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
    for (const status of ['400', '401', '429', '500']) expect(me.responses[status]).toEqual({ $ref: expect.stringMatching(/^#\/components\/responses\//) });
    expect(doc.paths['/concert'].post.responses['403']).toBeDefined();
    expect(doc.paths['/auth/login'].post.responses['200'].headers['Set-Cookie']).toBeDefined();
  });

  it('should be generated from the GraphQL types and the contract operations', async () => {
    const schema = apiSchemaOf(await readSupergraph());
    // Request bodies: the operation's input type, field by field.
    const signUpInput = schema.getType('SignUpInput');
    if (!isInputObjectType(signUpInput)) throw new Error('no SignUpInput');
    expect(doc.paths['/auth/signup'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SignUpInput' });
    const component = doc.components.schemas.SignUpInput;
    expect(Object.keys(component.properties).sort()).toEqual(Object.keys(signUpInput.getFields()).sort());
    expect(component.required.sort()).toEqual(
      Object.values(signUpInput.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => f.name)
        .sort(),
    );
    // Spread bodies: the remaining variables.
    const login = doc.paths['/auth/login'].post.requestBody.content['application/json'].schema;
    expect(login).toMatchObject({ type: 'object', required: ['email', 'password'], additionalProperties: false });
    // Query parameters: the filter's input fields, enums with the schema's values.
    const status = doc.paths['/concert'].get.parameters.find((p: { name: string }) => p.name === 'status');
    const statusType = getNamedType(schema.getType('ConcertFilter') && (schema.getType('ConcertFilter') as any).getFields().status.type);
    if (!isEnumType(statusType)) throw new Error('status is not an enum');
    expect(status.schema.enum).toEqual(statusType.getValues().map((v) => v.name));
    expect(doc.paths['/concert/{id}'].get.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-fA-F]{24}$' } },
    ]);
    expect(doc.paths['/concert'].get.parameters.find((p: { name: string }) => p.name === 'limit').schema).toEqual({
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 20,
    });
    // Responses: the selection set of the contract operation (Concert) over the schema's types.
    const concert = doc.paths['/concert/{id}'].get.responses['200'].content['application/json'].schema.properties.data;
    expect(Object.keys(concert.properties)).toEqual([
      'id',
      'title',
      'description',
      'artist',
      'venue',
      'startsAt',
      'endsAt',
      'ticketOpenAt',
      'status',
      'posterUrl',
      'likeCount',
      'viewerHasLiked',
      'setlist',
      'articles',
      'chatRoom',
    ]);
    expect(concert.properties.description.type).toEqual(['string', 'null']);
    expect(concert.properties.startsAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(concert.properties.setlist.type).toEqual(['object', 'null']);
    // Lists: the nodes of the connection, and nextCursor.
    const list = doc.paths['/concert'].get.responses['200'].content['application/json'].schema;
    expect(list.required).toEqual(['data', 'nextCursor']);
    expect(Object.keys(list.properties.data.items.properties)).toContain('viewerHasLiked');
  });
});

/** `directive → sources` of a CSP header. */
function csp(header: string | null): Map<string, string[]> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('Swagger UI', () => {
  it('should serve the page and its local assets, all allowed by the router CSP', async () => {
    const page = await fetch(`${stack.baseUrl}/api-docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const policy = csp(page.headers.get('content-security-policy'));
    const scriptSrc = policy.get('script-src') ?? policy.get('default-src') ?? [];
    const styleSrc = policy.get('style-src') ?? policy.get('default-src') ?? [];
    expect(scriptSrc).toContain("'self'");
    expect(scriptSrc).not.toContain("'unsafe-inline'");

    // No inline script or handler: every script comes from a file on this origin.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const [, attrs, body] of scripts) {
      expect(body!.trim()).toBe('');
      expect(attrs).toMatch(/src="\/api-docs\//);
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/https?:\/\//);

    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url!);
    const types: Record<string, RegExp> = { '.js': /^text\/javascript|^application\/javascript/, '.css': /^text\/css/, '.png': /^image\/png/ };
    expect(assets).toEqual(expect.arrayContaining(['/api-docs/swagger-ui.css', '/api-docs/swagger-ui-bundle.js', '/api-docs/init.js']));
    for (const url of assets) {
      expect(url.startsWith('/')).toBe(true); // same origin: 'self'
      const res = await fetch(`${stack.baseUrl}${url}`);
      expect(res.status, url).toBe(200);
      const ext = url.slice(url.lastIndexOf('.'));
      expect(res.headers.get('content-type'), url).toMatch(types[ext]!);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await res.arrayBuffer();
    }
    expect(styleSrc).toContain("'self'");
    const init = await (await fetch(`${stack.baseUrl}/api-docs/init.js`)).text();
    expect(init).toContain("'/api-docs/openapi.json'");
  });

  it.skipIf(!existsSync('/usr/bin/chromium'))(
    'should render every route in headless Chromium with no CSP violation and no request off the machine',
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage();
        const offMachine: string[] = [];
        await page.route('**/*', (route) => {
          const url = new URL(route.request().url());
          if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
          offMachine.push(url.href);
          return route.abort();
        });
        const violations: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
        });
        await page.goto(`${stack.baseUrl}/api-docs`);
        await page.waitForSelector('.opblock', { timeout: 20_000 });
        const operations = await page.locator('.opblock').count();
        expect(operations).toBe(restRows().length + ADDED_ROWS.length);
        expect(violations).toEqual([]);
        expect(offMachine).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
