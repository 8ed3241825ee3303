import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, signUp, startStack, type Stack } from '../support/harness.js';
import { createArticle } from './fixtures.js';

/** Classic XSS vectors (OWASP filter-evasion cheat sheet, PortSwigger, mXSS papers). */
const VECTORS: Record<string, string> = {
  'script tag': '<script>alert(1)</script>',
  'external script, upper case': '<SCRIPT SRC=//evil.example/xss.js></SCRIPT>',
  'img onerror': '<img src=x onerror=alert(1)>',
  'img onerror, unquoted eval': '<img src=x:alert(alt) onerror=eval(src) alt=0>',
  'svg onload': '<svg onload=alert(1)>',
  'script inside svg': '<svg><script>alert(1)</script></svg>',
  'javascript: href': '<a href="javascript:alert(1)">x</a>',
  'javascript: href, mixed case': '<a href="JaVaScRiPt:alert(1)">x</a>',
  'javascript: href, decimal entities': '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
  'javascript: href, hex entities without semicolons': '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
  'javascript: href, embedded tab entity': '<a href="jav&#x09;ascript:alert(1)">x</a>',
  'javascript: href, embedded newline': '<a href="java\nscript:alert(1)">x</a>',
  'javascript: href, leading spaces and control char': '<a href=" \x01 javascript:alert(1)">x</a>',
  'vbscript: href': '<a href="vbscript:msgbox(1)">x</a>',
  'data: URL href': '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  'protocol-relative href': '<a href="//evil.example/x">x</a>',
  'iframe javascript:': '<iframe src="javascript:alert(1)"></iframe>',
  'iframe srcdoc': '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
  'style attribute with url()': '<p style="background:url(javascript:alert(1))">x</p>',
  'style expression()': '<div style="width: expression(alert(1))">x</div>',
  'style tag with @import': "<style>@import 'http://evil.example/x.css';</style>",
  'link stylesheet': '<link rel=stylesheet href="http://evil.example/x.css">',
  'object data: URL': '<object data="data:text/html,<script>alert(1)</script>"></object>',
  'embed javascript:': '<embed src="javascript:alert(1)">',
  'form action': '<form action="javascript:alert(1)"><input type=submit value=go><button formaction=javascript:alert(1)>b</button></form>',
  'meta refresh': '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  'base href': '<base href="javascript:alert(1)//">',
  'body onload': '<body onload=alert(1)>',
  'details ontoggle': '<details open ontoggle=alert(1)>',
  'allowed tag with event handler': '<b onmouseover=alert(1)>bold</b>',
  'allowed link with extra attributes': '<a href="https://ok.example/" onclick="alert(1)" style="color:red" class="x" target="_blank">ok</a>',
  'unclosed img tag': '<img src="x" onerror="alert(1)"',
  'split script tag': '<scr<script>ipt>alert(1)</scr</script>ipt>',
  'double open bracket': '<<script>alert(1)//<</script>',
  'attribute breakout': '"><script>alert(1)</script>',
  'comment trick': '<!--<img src="--><img src=x onerror=alert(1)//">',
  'noscript mXSS': '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  'math/style mXSS': '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  template: '<template><img src=x onerror=alert(1)></template>',
  'entity-encoded tag in text': '&lt;script&gt;alert(1)&lt;/script&gt;',
};

const ALLOWED = new Set(['p', 'br', 'b', 'i', 'em', 'strong', 'u', 's', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'a']);
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+="[^"<>]*")*)\s*\/?>/g;
const ATTR = /\s+([a-zA-Z-]+)="([^"]*)"/g;

/** Every problem in stored HTML: a tag, attribute or URL outside the allow-list, or a stray angle bracket. */
function problemsIn(html: string): string[] {
  const problems: string[] = [];
  const rest = html.replace(TAG, (_m, close: string, name: string, attrs: string) => {
    const tag = name.toLowerCase();
    if (!ALLOWED.has(tag)) problems.push(`tag <${tag}>`);
    for (const [, attr, raw] of attrs.matchAll(ATTR)) {
      const value = raw!.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
      if (close) problems.push(`attribute on closing tag ${tag}`);
      else if (tag === 'a' && attr === 'rel') {
        if (value !== 'noopener noreferrer nofollow') problems.push(`rel="${value}"`);
      } else if (tag === 'a' && attr === 'href') {
        const url = new URL(value);
        if (!['http:', 'https:', 'mailto:'].includes(url.protocol)) problems.push(`href ${value}`);
      } else problems.push(`attribute ${attr} on <${tag}>`);
    }
    return '';
  });
  // Anything left that looks like markup was not serialised by the sanitiser: fail.
  if (/[<>]/.test(rest)) problems.push(`stray markup in ${JSON.stringify(rest)}`);
  return problems;
}

const ARTICLE = 'query($id: ID!) { article(id: $id) { title body tags comments(first: 1) { edges { node { body } } } } }';
const ADD_COMMENT = 'mutation($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { id body } }';
const UPDATE = 'mutation($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { body } }';

let stack: Stack;
let fan: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  // One author posts a comment per payload: more than addComment's @rateLimit allows a user in a minute.
  stack = await startStack({ FIELD_RATE_LIMIT_FACTOR: '100' });
  fan = await signUp(stack);
});
afterAll(() => stack?.close());

describe('stored content is sanitised', () => {
  it('should have a corpus of at least 20 classic vectors', () => {
    expect(Object.keys(VECTORS).length).toBeGreaterThanOrEqual(20);
  });

  it('should detect markup outside the allow-list (the checker itself can fail)', () => {
    expect(problemsIn('<img src=x onerror=alert(1)>')).not.toEqual([]);
    expect(problemsIn('<a href="javascript:alert(1)">x</a>')).not.toEqual([]);
    expect(problemsIn('<b style="x">x</b>')).not.toEqual([]);
    expect(problemsIn('<p>ok <a href="https://x.example/" rel="noopener noreferrer nofollow">x</a></p>')).toEqual([]);
  });

  for (const [name, vector] of Object.entries(VECTORS)) {
    it(`should neutralise ${name} in titles, tags, bodies and comments`, async () => {
      const article = await createArticle(stack, fan.token, { title: `Title ${vector}`, body: `Body ${vector} end`, tags: [`tag ${vector}`.slice(0, 30)] });
      await ok(stack, ADD_COMMENT, { articleId: article.id, body: `Comment ${vector}` }, { token: fan.token });
      const { article: stored } = await ok(stack, ARTICLE, { id: article.id });
      expect(problemsIn(stored.body), stored.body).toEqual([]);
      expect(problemsIn(stored.comments.edges[0].node.body)).toEqual([]);
      expect(stored.body.startsWith('Body')).toBe(true);
      // Plain-text fields contain no element at all when read as HTML.
      for (const text of [stored.title, ...stored.tags]) expect(text, text).not.toMatch(/<[a-zA-Z/!?]/);
      const updated = await ok(stack, UPDATE, { id: article.id, input: { body: `Edited ${vector}` } }, { token: fan.token });
      expect(problemsIn(updated.updateArticle.body)).toEqual([]);
    });
  }

  it('should keep allowed formatting and make links safe', async () => {
    const body =
      '<p><strong>Encore</strong> <em>was</em> <u>un</u><s>real</s><br>' +
      '<a href="https://example.com/setlist?x=1&amp;y=2" target="_blank">setlist</a> <a href="mailto:fan@example.com">mail</a></p>' +
      '<ul><li><b>one</b></li></ul><ol><li><i>two</i></li></ol><blockquote>quote</blockquote><pre><code>x &lt; y</code></pre>';
    const article = await createArticle(stack, fan.token, { body });
    expect(article.body).toBe(
      '<p><strong>Encore</strong> <em>was</em> <u>un</u><s>real</s><br />' +
        '<a href="https://example.com/setlist?x=1&amp;y=2" rel="noopener noreferrer nofollow">setlist</a> <a href="mailto:fan@example.com" rel="noopener noreferrer nofollow">mail</a></p>' +
        '<ul><li><b>one</b></li></ul><ol><li><i>two</i></li></ol><blockquote>quote</blockquote><pre><code>x &lt; y</code></pre>',
    );
    const plain = await createArticle(stack, fan.token, { title: 'Tom & Jerry <3 "live"', tags: ['R&B'] });
    expect(plain.title).toBe('Tom & Jerry <3 "live"');
    expect(plain.tags).toEqual(['r&b']);
  });
});
