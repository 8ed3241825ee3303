import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '@stagelives/schema';
import { cleanNewEmail, emailKey } from '../src/user/email.js';

describe('emailKey (how an email is stored unique and looked up at log-in)', () => {
  it('should trim and lower-case, in every script', () => {
    expect(emailKey('  Fan@Example.COM \n')).toBe('fan@example.com');
    expect(emailKey('ÉLODIE@EXAMPLE.FR')).toBe('élodie@example.fr');
    expect(emailKey('fan@example.com')).toBe('fan@example.com');
  });

  it('should keep at most 254 characters of whatever was typed', () => {
    expect(emailKey(`${'a'.repeat(300)}@example.com`)).toHaveLength(254);
    expect(emailKey(` ${'B'.repeat(254)} `)).toBe('b'.repeat(254));
  });
});

describe('cleanNewEmail (sign-up)', () => {
  it('should keep the email as given (trimmed) and its key', () => {
    expect(cleanNewEmail('  Fan.One@Example.com ')).toEqual({ email: 'Fan.One@Example.com', emailLower: 'fan.one@example.com' });
  });

  it('should give the key that log-in computes from any way of typing the address', () => {
    const { emailLower } = cleanNewEmail('Fan.One@Example.com');
    for (const typed of ['fan.one@example.com', ' FAN.ONE@EXAMPLE.COM', 'Fan.One@Example.com\t']) expect(emailKey(typed)).toBe(emailLower);
  });

  it('should refuse what is not an address, naming the field', () => {
    for (const bad of [
      '',
      '   ',
      'not-an-email',
      'a@b',
      'two@@example.com',
      'sp ace@example.com',
      'fan@-example.com',
      `${'a'.repeat(65)}@example.com`,
      `a@${'b'.repeat(250)}.com`,
    ]) {
      let field: unknown;
      try {
        cleanNewEmail(bad, 'input.email');
      } catch (error) {
        expect(error).toBeInstanceOf(BadUserInputError);
        field = (error as BadUserInputError).extensions.field;
      }
      expect(field, bad).toBe('input.email');
    }
  });
});
