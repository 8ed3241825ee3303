import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { CHAT_LIMITS, cleanMessageBody, cleanRoomName, stripPlainText } from '../src/text/plain-text.js';

/** The extensions of the BAD_USER_INPUT a cleaner throws. */
function rejection(fn: () => unknown): Record<string, unknown> | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof GraphQLError) return error.extensions;
    throw error;
  }
  return undefined;
}

describe('message bodies', () => {
  it('should keep plain text, newlines and emoji as they are', () => {
    expect(cleanMessageBody('hello from the queue line')).toBe('hello from the queue line');
    expect(cleanMessageBody('line one\nline two\n\nline four')).toBe('line one\nline two\n\nline four');
    expect(cleanMessageBody('👩‍👩‍👧 family, 🇰🇷 flag, ❤️')).toBe('👩‍👩‍👧 family, 🇰🇷 flag, ❤️');
  });

  it('should turn CRLF, CR, NEL, U+2028 and U+2029 into newlines and tabs into spaces', () => {
    expect(cleanMessageBody('a\r\nb\rc\u0085d\u2028e\u2029f')).toBe('a\nb\nc\nd\ne\nf');
    expect(cleanMessageBody('a\tb')).toBe('a b');
  });

  it('should remove other C0 and C1 controls, DEL, bidi overrides and isolates, BOM and lone surrogates', () => {
    expect(cleanMessageBody('a\u0000b\u0007c\u001bd\u007fe\u0080f\u009fg')).toBe('abcdefg');
    expect(cleanMessageBody('\u202Eevil\u202C \u2066x\u2069 \uFEFFy')).toBe('evil x y');
    expect(cleanMessageBody('a\uD800b\uDC00c')).toBe('abc');
    // Joiners that make emoji and scripts work stay.
    expect(stripPlainText('\u200D\u200C\u200E', { multiline: true })).toBe('\u200D\u200C\u200E');
  });

  it('should trim, and refuse what is empty after cleaning', () => {
    expect(cleanMessageBody('  \n hi there \n\t ')).toBe('hi there');
    for (const empty of ['', '   ', '\n\n', '\u0000\u0001', '\u202E\u202C', ' \t\r\n ']) {
      expect(rejection(() => cleanMessageBody(empty))).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
    }
  });

  it('should count characters as code points after NFC, up to 2,000', () => {
    expect(CHAT_LIMITS.messageBody).toBe(2000);
    expect(cleanMessageBody('가'.repeat(2000))).toHaveLength(2000);
    // 2,000 astral characters are 4,000 UTF-16 units, and allowed.
    expect([...cleanMessageBody('🎤'.repeat(2000))]).toHaveLength(2000);
    expect(rejection(() => cleanMessageBody('🎤'.repeat(2001)))).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
    expect(rejection(() => cleanMessageBody('a'.repeat(2001)))).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
    // A decomposed Hangul syllable (3 jamo) is one character after NFC, as it looks.
    const decomposed = '한'.normalize('NFD');
    expect(decomposed).toHaveLength(3);
    expect(cleanMessageBody(decomposed.repeat(2000))).toBe('한'.repeat(2000));
    // Removed controls do not count: 2,000 letters plus controls fit.
    expect(cleanMessageBody(`${'a'.repeat(2000)}\u0000\u0000`)).toHaveLength(2000);
  });
});

describe('room names', () => {
  it('should make one line with single spaces', () => {
    expect(cleanRoomName('  Seoul   night 1\n\tfans ')).toBe('Seoul night 1 fans');
    expect(cleanRoomName('a\u0000b\u202Ec')).toBe('abc');
  });

  it('should allow 1–80 characters', () => {
    expect(cleanRoomName('x'.repeat(80))).toHaveLength(80);
    expect(rejection(() => cleanRoomName('x'.repeat(81)))).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(rejection(() => cleanRoomName(' \n '))).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
  });
});
