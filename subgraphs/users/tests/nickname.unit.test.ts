import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '@stagelives/schema';
import { DERIVED_NICKNAME_MAX, cleanNickname, nicknameFrom, nicknameKey, numberedNickname } from '../src/user/nickname.js';

const fieldOfRefusal = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BadUserInputError);
    return (error as BadUserInputError).extensions.field as string;
  }
  throw new Error('expected a refusal');
};

const codePoints = (s: string) => [...s].length;
const hasLoneSurrogate = (s: string) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('cleanNickname', () => {
  it('should trim and accept letters, digits, _ . - in any script', () => {
    expect(cleanNickname('  fan_1  ')).toBe('fan_1');
    expect(cleanNickname('a.b-c_d')).toBe('a.b-c_d');
    expect(cleanNickname('Café')).toBe('Café');
    expect(cleanNickname('東京')).toBe('東京');
    expect(cleanNickname('Ωμέγα99')).toBe('Ωμέγα99');
  });

  it('should refuse spaces, symbols and emoji inside, naming the field', () => {
    for (const bad of ['has space', 'tab\there', '<script>', 'fan@home', 'a+b', '🎸🎸', 'rock🎸', 'zero\u200bwidth']) {
      expect(fieldOfRefusal(() => cleanNickname(bad, 'input.nickname'))).toBe('input.nickname');
    }
    expect(fieldOfRefusal(() => cleanNickname('a b'))).toBe('nickname');
  });

  it('should count 2 to 30 characters (code points), after trimming', () => {
    expect(fieldOfRefusal(() => cleanNickname('a'))).toBe('nickname');
    expect(fieldOfRefusal(() => cleanNickname('  a  '))).toBe('nickname');
    expect(fieldOfRefusal(() => cleanNickname('   '))).toBe('nickname');
    expect(cleanNickname('ab')).toBe('ab');
    expect(cleanNickname('é'.repeat(30))).toBe('é'.repeat(30));
    expect(fieldOfRefusal(() => cleanNickname('é'.repeat(31)))).toBe('nickname');
    expect(cleanNickname(` ${'x'.repeat(30)} `)).toBe('x'.repeat(30));
    // An astral letter is two UTF-16 units but one character.
    const astral = '𠀀';
    expect(astral.length).toBe(2);
    expect(fieldOfRefusal(() => cleanNickname(astral))).toBe('nickname');
    expect(cleanNickname(astral.repeat(2))).toBe(astral.repeat(2));
    expect(cleanNickname(astral.repeat(30))).toBe(astral.repeat(30));
    expect(fieldOfRefusal(() => cleanNickname(astral.repeat(31)))).toBe('nickname');
  });

  it('should refuse decomposed accents (a combining mark is not a letter): clients send NFC', () => {
    expect(fieldOfRefusal(() => cleanNickname('Cafe\u0301'))).toBe('nickname');
  });

  it('should make case-insensitive keys', () => {
    expect(nicknameKey('FanOne')).toBe(nicknameKey('fanone'));
    expect(nicknameKey('ÉLODIE')).toBe('élodie');
  });
});

describe('nicknameFrom (a nickname derived from a name or an email)', () => {
  it('should keep only the allowed characters', () => {
    expect(nicknameFrom('Gee One')).toBe('GeeOne');
    expect(nicknameFrom('john.doe+tag')).toBe('john.doetag');
    expect(nicknameFrom("  O'Brien, Mary-Kate ")).toBe('OBrienMary-Kate');
    expect(nicknameFrom('李 小龍')).toBe('李小龍');
  });

  it('should apply NFKC: full-width letters, ligatures and decomposed accents become plain ones', () => {
    expect(nicknameFrom('ＪＯＨＮ　ＳＭＩＴＨ')).toBe('JOHNSMITH');
    expect(nicknameFrom('ﬁnn')).toBe('finn');
    expect(nicknameFrom('Cafe\u0301 Noir')).toBe('CaféNoir');
  });

  it("should fall back to 'fan' when fewer than 2 characters remain", () => {
    for (const text of [null, undefined, '', ' ', 'a', '!!', '🎸🎸🎸', '𠀀']) expect(nicknameFrom(text)).toBe('fan');
    expect(nicknameFrom('ab')).toBe('ab');
    expect(nicknameFrom('𠀀𠀀')).toBe('𠀀𠀀');
  });

  it('should keep at most 24 characters and never cut a character in half', () => {
    expect(nicknameFrom('abcdefghij'.repeat(3))).toBe('abcdefghijabcdefghijabcd');
    const astral = nicknameFrom('𠀀'.repeat(30));
    expect(codePoints(astral)).toBe(DERIVED_NICKNAME_MAX);
    expect(hasLoneSurrogate(astral)).toBe(false);
    const mixed = nicknameFrom(`a${'𠀀'.repeat(30)}`);
    expect(codePoints(mixed)).toBe(24);
    expect(hasLoneSurrogate(mixed)).toBe(false);
  });

  it('should always give a nickname that cleanNickname accepts as is', () => {
    const samples = [
      'Gee One',
      'ＪＯＨＮ　ＳＭＩＴＨ',
      '𠀀'.repeat(40),
      `a${'𠀀'.repeat(40)}`,
      'x'.repeat(100),
      'q\u0301\u0302',
      'Ωμέγα Ψ',
      '  ',
      'ab\u0000cd',
      '..',
      '-_-',
    ];
    for (const text of samples) {
      const nickname = nicknameFrom(text);
      expect(cleanNickname(nickname)).toBe(nickname);
    }
  });
});

describe('numberedNickname (the next try when a nickname is taken)', () => {
  it('should append the number to the first 24 characters', () => {
    expect(numberedNickname('GeeOne', 1234)).toBe('GeeOne1234');
    expect(numberedNickname('x'.repeat(30), 999_999)).toBe(`${'x'.repeat(24)}999999`);
    const astral = numberedNickname('𠀀'.repeat(30), 123_456);
    expect(astral).toBe(`${'𠀀'.repeat(24)}123456`);
    expect(hasLoneSurrogate(astral)).toBe(false);
  });

  it('should stay within the 30 characters cleanNickname allows, with the largest number tried', () => {
    for (const base of [nicknameFrom('x'.repeat(100)), nicknameFrom('𠀀'.repeat(100)), 'fan']) {
      const nickname = numberedNickname(base, 999_998);
      expect(cleanNickname(nickname)).toBe(nickname);
    }
  });
});
