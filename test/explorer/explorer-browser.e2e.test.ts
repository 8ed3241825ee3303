import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureExplorerAssets } from '../../router/src/explorer/build.mjs';
import { signUp, startStack, type Stack } from '../support/harness.js';
import { eventually, join, roomWithMember, send } from '../support/live.js';
import { isLocal, launchChromium } from './chromium.js';

/** The screenshot this test leaves behind (gitignored). */
const SCREENSHOT = fileURLToPath(new URL('../artifacts/explorer.png', import.meta.url));
const FAILURE_SCREENSHOT = fileURLToPath(new URL('../artifacts/explorer-failure.png', import.meta.url));

// Browser-side code runs in Chromium: `globalThis` there is the page's window.
type PageWindow = { document: { querySelector(selector: string): any }; __cspViolations: string[] };

/** Replaces the query editor's text (CodeMirror 5 inside GraphiQL). */
const setQuery = (page: Page, text: string) =>
  page.evaluate((t) => (globalThis as unknown as PageWindow).document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(t), text);
const queryText = (page: Page): Promise<string> =>
  page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue());
const resultText = (page: Page): Promise<string> =>
  page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.getValue() ?? '');
/** Waits until the result pane shows every one of `texts`. */
async function resultShows(page: Page, texts: string[], timeout = 20_000): Promise<string> {
  try {
    await page.waitForFunction(
      (wanted) => {
        const text: string = (globalThis as unknown as PageWindow).document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.getValue() ?? '';
        return wanted.every((w) => text.includes(w));
      },
      texts,
      { timeout, polling: 100 },
    );
  } catch (error) {
    // What the page looked like, for whoever reads the failure.
    mkdirSync(dirname(FAILURE_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: FAILURE_SCREENSHOT }).catch(() => undefined);
    throw new Error(
      `the result pane never showed ${JSON.stringify(texts)}; it shows: ${(await resultText(page)).slice(0, 800)} (screenshot: ${FAILURE_SCREENSHOT}; page errors: ${JSON.stringify(pageErrors)}; operations sent: ${JSON.stringify(operations)})`,
      { cause: error },
    );
  }
  return resultText(page);
}
/**
 * Runs the editor's operation. GraphiQL takes in an edit 100 ms later (debounced: it then stores the
 * text and works out the operation name); clicking before would run the previous operation's name.
 */
async function run(page: Page) {
  await page.waitForFunction(
    () => {
      const w = globalThis as unknown as PageWindow & { localStorage: { getItem(key: string): string | null } };
      return w.localStorage.getItem('graphiql:query') === w.document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue();
    },
    undefined,
    { timeout: 10_000, polling: 50 },
  );
  await page.click('.graphiql-execute-button');
}

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every request the page made, and those outside this machine (blocked). */
const requests: string[] = [];
const outside: string[] = [];
const sockets: Array<{ url: string; sent: string[]; received: string[] }> = [];
const pageErrors: string[] = [];
/** The start of each operation the page posted (for failure messages). */
const operations: string[] = [];

beforeAll(async () => {
  await ensureExplorerAssets();
  [stack, browser] = await Promise.all([startStack(), launchChromium()]);
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // Offline: whatever is not this machine is aborted and recorded.
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    outside.push(url);
    return route.abort('internetdisconnected');
  });
  // The page's own CSP violations, as the browser reports them (the init script is the test's, not the page's).
  await context.addInitScript(() => {
    const w = globalThis as unknown as PageWindow & { addEventListener(type: string, f: (e: any) => void): void };
    w.__cspViolations = [];
    w.addEventListener('securitypolicyviolation', (e) => w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample ?? ''}`));
  });
  page = await context.newPage();
  page.on('request', (r) => {
    requests.push(r.url());
    if (r.method() === 'POST') operations.push((r.postData() ?? '').slice(0, 60));
  });
  page.on('pageerror', (e) => void pageErrors.push(e.message));
  page.on('websocket', (ws) => {
    const record = { url: ws.url(), sent: [] as string[], received: [] as string[] };
    sockets.push(record);
    ws.on('framesent', (f) => void record.sent.push(String(f.payload)));
    ws.on('framereceived', (f) => void record.received.push(String(f.payload)));
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('the schema explorer in headless Chromium, offline', () => {
  it('should sign in, run a query and receive messageAdded over graphql-ws, with nothing fetched from outside', async () => {
    const fan = await signUp(stack);
    const { roomId, owner } = await roomWithMember(stack, 'explorer room');
    await join(stack, roomId, fan.token);

    // The page, with GraphiQL's introspection through the router.
    const introspection = page.waitForResponse((r) => r.url() === stack.url && (r.request().postData() ?? '').includes('IntrospectionQuery'), {
      timeout: 60_000,
    });
    const navigation = await page.goto(stack.url, { waitUntil: 'load', timeout: 60_000 });
    expect(navigation?.status()).toBe(200);
    expect(navigation?.headers()['content-type']).toMatch(/^text\/html/);
    await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 60_000 });
    const schema = await introspection;
    expect(schema.status()).toBe(200);
    expect(JSON.stringify(await schema.json())).toContain('"messageAdded"');

    // Sign in with the logIn mutation: the router answers with the session cookie.
    await setQuery(page, `mutation LogIn {\n  logIn(email: "${fan.email}", password: "${fan.password}") {\n    user { id nickname }\n  }\n}\n`);
    await run(page);
    await resultShows(page, ['"logIn"', `"nickname": "${fan.nickname}"`]);
    const cookie = (await context.cookies(stack.baseUrl)).find((c) => c.name === 'sl_session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: false, sameSite: 'Lax' });

    // A query typed into the editor runs with that cookie.
    await page.click('.graphiql-query-editor .CodeMirror');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ me { nickname email } }', { delay: 5 });
    await page.keyboard.press('Escape'); // closes an autocompletion popup, if one opened
    expect((await queryText(page)).replace(/\s+/g, ' ').trim()).toBe('{ me { nickname email } }');
    await run(page);
    const me = await resultShows(page, ['"me"', `"nickname": "${fan.nickname}"`, `"email": "${fan.email}"`]);
    expect(JSON.parse(me)).toEqual({ data: { me: { nickname: fan.nickname, email: fan.email } } });

    // messageAdded over graphql-ws: the upgrade carries the cookie; a message sent by another member appears.
    await setQuery(page, `subscription MessageAdded {\n  messageAdded(roomId: "${roomId}") {\n    seq\n    body\n    author { nickname }\n  }\n}\n`);
    await run(page);
    await eventually(() => stack.router.subscriptions.watchedRooms > 0, 20_000, 'the explorer’s subscription to be registered');
    await send(stack, roomId, 'hello from the test, through the explorer', owner.token);
    const event = await resultShows(page, ['"messageAdded"', 'hello from the test, through the explorer', `"nickname": "${owner.nickname}"`]);
    expect(JSON.parse(event)).toMatchObject({
      data: { messageAdded: { body: 'hello from the test, through the explorer', author: { nickname: owner.nickname } } },
    });
    const ws = sockets.find((s) => s.sent.some((f) => f.includes('"subscribe"')));
    expect(ws?.url).toBe(stack.wsUrl);
    expect(ws?.received.some((f) => f.includes('"connection_ack"'))).toBe(true);

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    // A dialog (its scroll lock inserts a <style> element, admitted by the page's style nonce).
    await page.click('[aria-label="Open settings dialog"]');
    await page.waitForSelector('.graphiql-dialog', { timeout: 10_000 });
    await page.keyboard.press('Escape');

    // Offline: every request stayed on this machine, none was attempted elsewhere.
    expect(outside).toEqual([]);
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.filter((u) => !isLocal(u))).toEqual([]);
    expect(sockets.map((s) => s.url).filter((u) => !isLocal(u))).toEqual([]);
    // The page's CSP let it do all of that without a violation, and the page threw nothing.
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).__cspViolations)).toEqual([]);
    expect(pageErrors).toEqual([]);

    // Stop the subscription (the execute button toggles it) before the stack closes.
    await run(page);
  }, 180_000);
});
