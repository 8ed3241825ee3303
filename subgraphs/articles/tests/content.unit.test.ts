import { describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { escapeRegExp } from '@stagelives/schema';
import { ArticleRepository } from '../src/article/article.repository.js';
import { cleanPlainLine, cleanRichText, normalizeTag, normalizeTags, sanitizeBody, toPlainText } from '../src/content/sanitize.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string; field?: string } }).extensions;
  }
  return undefined;
};

describe('toPlainText', () => {
  it('should strip markup, keep ordinary text and never leave anything that opens a tag', () => {
    expect(toPlainText('Tom & Jerry')).toBe('Tom & Jerry');
    expect(toPlainText('I <3 this band')).toBe('I <3 this band');
    expect(toPlainText('<b>bold</b> move')).toBe('bold move');
    expect(toPlainText('<script>alert(1)</script>Hi')).toBe('Hi');
    expect(toPlainText('&lt;script&gt;alert(1)&lt;/script&gt;Hi')).toBe('Hi');
    expect(toPlainText('dangling </')).not.toMatch(/<[a-zA-Z/!?]/);
    expect(toPlainText('a <!-- b')).not.toMatch(/<[a-zA-Z/!?]/);
  });
});

describe('sanitizeBody', () => {
  it('should keep the allow-list and drop everything else', () => {
    expect(sanitizeBody('<p class="x" style="color:red" id="y">hi</p>')).toBe('<p>hi</p>');
    expect(sanitizeBody('<a href="HTTPS://Example.com">x</a>')).toBe('<a href="https://example.com/" rel="noopener noreferrer nofollow">x</a>');
    expect(sanitizeBody('<a href="/relative">x</a>')).toBe('<a>x</a>');
    expect(sanitizeBody('<h1>big</h1><img src="https://x.example/a.png">')).toBe('big');
  });

  it('should refuse bodies with no visible text, too long, or too much markup', () => {
    expect(codeOf(() => cleanRichText('<p> </p><script>x</script>', { field: 'body', max: 100, maxStored: 300 }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'body',
    });
    expect(codeOf(() => cleanRichText('x'.repeat(101), { field: 'body', max: 100, maxStored: 300 }))?.field).toBe('body');
    expect(codeOf(() => cleanRichText('<'.repeat(100), { field: 'body', max: 100, maxStored: 300 }))?.code).toBe('BAD_USER_INPUT');
    expect(cleanRichText('<b>ok</b>', { field: 'body', max: 100, maxStored: 300 })).toEqual({ html: '<b>ok</b>', text: 'ok' });
  });
});

describe('tags and titles', () => {
  it('should normalise tags: plain text, NFKC, lower case, trimmed, one space, no leading #', () => {
    expect(normalizeTag('  #K-Pop   Live ')).toBe('k-pop live');
    expect(normalizeTag('ＦＵＬＬ')).toBe('full');
    expect(normalizeTag('<i>Encore</i>')).toBe('encore');
    expect(normalizeTags(['Rock', 'rock', '#ROCK', 'pop'])).toEqual(['rock', 'pop']);
    expect(codeOf(() => normalizeTags(Array.from({ length: 11 }, (_, i) => `t${i}`)))?.field).toBe('tags');
    expect(codeOf(() => normalizeTag('x'.repeat(31)))?.code).toBe('BAD_USER_INPUT');
    expect(normalizeTag('x'.repeat(30))).toHaveLength(30);
    expect(codeOf(() => normalizeTag('#'))?.code).toBe('BAD_USER_INPUT');
  });

  it('should count title length in characters after stripping', () => {
    expect(cleanPlainLine(`<b>${'한'.repeat(200)}</b>`, { field: 'title', max: 200 })).toHaveLength(200);
    expect(codeOf(() => cleanPlainLine('한'.repeat(201), { field: 'title', max: 200 }))?.field).toBe('title');
  });
});

describe(ArticleRepository.name, () => {
  // The filter is built without a server: no command is sent.
  const db = new MongoClient('mongodb://127.0.0.1:9').db('unused');

  it('should search with escaped, case-insensitive regexes when $text is unavailable', () => {
    const filter = new ArticleRepository(db, false).filterOf({ words: ['a.c', '(x)'] });
    expect(JSON.stringify(filter)).not.toContain('$text');
    expect(filter.$and).toContainEqual({ $or: [{ title: { $regex: 'a\\.c', $options: 'i' } }, { bodyText: { $regex: 'a\\.c', $options: 'i' } }] });
    expect(filter.$and).toContainEqual({ $or: [{ title: { $regex: '\\(x\\)', $options: 'i' } }, { bodyText: { $regex: '\\(x\\)', $options: 'i' } }] });
    for (const meta of ['.', '*', '+', '?', '^', '$', '{', '}', '(', ')', '|', '[', ']', '\\', '/', '-']) {
      expect(new RegExp(escapeRegExp(`x${meta}y`)).test(`x${meta}y`)).toBe(true);
      expect(new RegExp(`^${escapeRegExp(meta)}$`).test('a')).toBe(false);
    }
  });

  it('should search with $text phrases (all words) where supported, quotes removed from user text', () => {
    const filter = new ArticleRepository(db, true).filterOf({ words: ['encore', 'say "hi"\\'], tag: 'live' });
    expect(filter.$and?.[0]).toEqual({ $text: { $search: '"encore" "say hi"' } });
    expect(JSON.stringify(filter)).not.toContain('$regex');
    // The tag is a top-level equality: FerretDB on PostgreSQL answers it from an index.
    expect(filter.tags).toEqual({ $eq: 'live' });
  });
});
