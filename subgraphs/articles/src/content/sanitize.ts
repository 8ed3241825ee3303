import sanitizeHtml from 'sanitize-html';
import { BadUserInputError } from '@stagelives/schema';

/** Tags a body or comment may keep: text formatting, lists, quotes, code and links. */
const ALLOWED_TAGS = ['p', 'br', 'b', 'i', 'em', 'strong', 'u', 's', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'a'] as const;
/** Schemes a link may point to. Relative and protocol-relative links are dropped too. */
const ALLOWED_SCHEMES = ['http', 'https', 'mailto'] as const;
const LINK_REL = 'noopener noreferrer nofollow';

const ALLOWED_PROTOCOLS = new Set(ALLOWED_SCHEMES.map((s) => `${s}:`));

/** An absolute URL with an allowed scheme, normalised by the WHATWG parser; null otherwise. */
function safeHref(href: string | undefined): string | null {
  if (!href) return null;
  try {
    const url = new URL(href.trim());
    return ALLOWED_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

const BODY_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...ALLOWED_TAGS],
  // Only a[href]; no style, class, id or event handler attributes anywhere.
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: [...ALLOWED_SCHEMES],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  allowedStyles: {},
  disallowedTagsMode: 'discard',
  // Contents of these are code or machinery, never text worth keeping.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'iframe',
    'object',
    'embed',
    'svg',
    'math',
    'template',
    'title',
    'xmp',
    'noembed',
    'noframes',
  ],
  enforceHtmlBoundary: false,
  transformTags: {
    a: (tagName, attribs): sanitizeHtml.Tag => {
      const href = safeHref(attribs.href);
      return { tagName, attribs: href ? { href, rel: LINK_REL } : {} };
    },
  },
};

const TEXT_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  disallowedTagsMode: 'discard',
  nonTextTags: BODY_OPTIONS.nonTextTags!,
};

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
/** Undoes sanitize-html's own escaping (it only ever emits these four). */
const decodeEscapes = (html: string) => html.replace(/&(amp|lt|gt|quot);/g, (_m, name: string) => ENTITIES[name]!);

/** Sanitised HTML for an article body or a comment: the allow-list above, nothing else. */
export function sanitizeBody(html: string): string {
  return sanitizeHtml(html, BODY_OPTIONS).trim();
}

/**
 * Plain text from user input that may contain HTML: tags are removed (script and style
 * contents with them) and entities decoded. Repeated until stable, so that the result,
 * read again as HTML, contains no element at all (`&lt;script&gt;` does not survive as
 * `<script>`); what cannot settle loses its angle brackets. `I <3 this` stays as it is.
 */
export function toPlainText(input: string): string {
  let text = input;
  for (let round = 0; round < 5; round += 1) {
    const next = decodeEscapes(sanitizeHtml(text, TEXT_OPTIONS));
    // A '<' that could open markup (`<x`, `</`, `<!`, `<?`) never stays, even a dangling one
    // that the parser keeps as text: pasted next to other HTML it would become a tag.
    if (next === text) return text.replace(/<(?=[A-Za-z/!?])/g, '');
    text = next;
  }
  return text.replace(/[<>]/g, '');
}

/** Visible text of sanitised HTML, for search and for "is it empty" checks. */
function textOf(html: string): string {
  return decodeEscapes(sanitizeHtml(html, TEXT_OPTIONS)).replace(/\s+/g, ' ').trim();
}

const codePoints = (s: string) => [...s].length;

export interface RichTextLimits {
  field: string;
  /** Most characters the client may send. */
  max: number;
  /** Most characters stored after sanitising (escaping and link attributes make HTML longer). */
  maxStored: number;
}

/** Validates and sanitises a body or comment: non-empty visible text, bounded length. */
export function cleanRichText(value: string, { field, max, maxStored }: RichTextLimits): { html: string; text: string } {
  if (codePoints(value) > max) throw new BadUserInputError(`${field} must be at most ${max} characters.`, field);
  const html = sanitizeBody(value);
  const text = textOf(html);
  if (!text) throw new BadUserInputError(`${field} must not be empty.`, field);
  if (codePoints(html) > maxStored) throw new BadUserInputError(`${field} has too much markup.`, field);
  return { html, text };
}

/** A plain-text line (titles): HTML stripped, whitespace collapsed, length checked. */
export function cleanPlainLine(value: string, { field, max }: { field: string; max: number }): string {
  if (codePoints(value) > max * 4) throw new BadUserInputError(`${field} must be at most ${max} characters.`, field);
  const text = toPlainText(value).replace(/\s+/g, ' ').trim();
  if (!text) throw new BadUserInputError(`${field} must not be empty.`, field);
  if (codePoints(text) > max) throw new BadUserInputError(`${field} must be at most ${max} characters.`, field);
  return text;
}

export const TAG_LIMITS = { maxTags: 10, maxLength: 30 } as const;

/** One tag: plain text, NFKC, lower-case, trimmed, inner whitespace collapsed, no leading '#'. */
export function normalizeTag(value: string, field = 'tag'): string {
  if (codePoints(value) > TAG_LIMITS.maxLength * 4) throw new BadUserInputError(`${field} must be at most ${TAG_LIMITS.maxLength} characters.`, field);
  const tag = toPlainText(value)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^#+\s*/, '');
  if (!tag) throw new BadUserInputError(`${field} must not be empty.`, field);
  if (codePoints(tag) > TAG_LIMITS.maxLength) throw new BadUserInputError(`${field} must be at most ${TAG_LIMITS.maxLength} characters.`, field);
  return tag;
}

/** Normalised, deduplicated tags in first-seen order; at most ten. */
export function normalizeTags(values: readonly string[], field = 'tags'): string[] {
  if (values.length > TAG_LIMITS.maxTags * 3) throw new BadUserInputError(`${field} may hold at most ${TAG_LIMITS.maxTags} tags.`, field);
  const tags = [...new Set(values.map((v) => normalizeTag(v, field)))];
  if (tags.length > TAG_LIMITS.maxTags) throw new BadUserInputError(`${field} may hold at most ${TAG_LIMITS.maxTags} tags.`, field);
  return tags;
}
