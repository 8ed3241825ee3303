import { describe, expect, it } from 'vitest';
import { PASSWORD_INPUT_MAX, checkNewPassword, hashPassword, verifyPassword } from '../src/auth/password.js';
import { refusal } from './refusal.js';

describe('checkNewPassword', () => {
  it('should accept 8 to 128 characters and refuse one fewer or one more', () => {
    expect(checkNewPassword('a'.repeat(8))).toBe('a'.repeat(8));
    expect(checkNewPassword('a'.repeat(128))).toBe('a'.repeat(128));
    expect(refusal(() => checkNewPassword('a'.repeat(7)))).toEqual({ message: 'password must be at least 8 characters.', field: 'password' });
    expect(refusal(() => checkNewPassword('a'.repeat(129)))).toEqual({ message: 'password must be at most 128 characters.', field: 'password' });
    expect(refusal(() => checkNewPassword(''))).toMatchObject({ field: 'password' });
  });

  it('should count characters (code points), not UTF-16 units', () => {
    const emoji = '🎸'; // two UTF-16 units, one character
    expect(emoji.repeat(7).length).toBe(14);
    expect(refusal(() => checkNewPassword(emoji.repeat(7))).message).toMatch(/at least 8/);
    expect(checkNewPassword(emoji.repeat(8))).toBe(emoji.repeat(8));
    expect(checkNewPassword(emoji.repeat(128))).toBe(emoji.repeat(128));
    expect(refusal(() => checkNewPassword(emoji.repeat(129))).message).toMatch(/at most 128/);
    expect(checkNewPassword('パスワードです!!')).toBe('パスワードです!!');
  });

  it('should keep the password as typed: spaces count and nothing is trimmed or composed', () => {
    expect(checkNewPassword('  my pass  ')).toBe('  my pass  ');
    expect(refusal(() => checkNewPassword('  abc  ')).message).toMatch(/at least 8/); // 7 with the spaces
    expect(checkNewPassword('correct horse battery staple')).toBe('correct horse battery staple');
    // No composition rules: only length matters.
    expect(checkNewPassword('aaaaaaaa')).toBe('aaaaaaaa');
  });

  it('should name the field it checks', () => {
    expect(refusal(() => checkNewPassword('short', 'input.password'))).toEqual({
      message: 'input.password must be at least 8 characters.',
      field: 'input.password',
    });
    expect(refusal(() => checkNewPassword('short', 'newPassword')).field).toBe('newPassword');
  });
});

describe('verifyPassword', () => {
  it('should accept the password a hash was made from and refuse any other', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'Correct horse battery staple')).toBe(false);
    expect(await verifyPassword(hash, 'correct horse battery staple ')).toBe(false);
    expect(await verifyPassword(hash, '')).toBe(false);
  });

  it('should refuse when there is no hash (an unknown email or a provider-only account) or a broken one', async () => {
    expect(await verifyPassword(null, 'anything at all')).toBe(false);
    expect(await verifyPassword(null, '')).toBe(false);
    expect(await verifyPassword('not a hash', 'anything at all')).toBe(false);
  });

  it('should check only the first PASSWORD_INPUT_MAX characters of what was typed', async () => {
    const long = 'x'.repeat(PASSWORD_INPUT_MAX);
    const hash = await hashPassword(long);
    expect(await verifyPassword(hash, `${long}anything after the limit`)).toBe(true);
    expect(await verifyPassword(hash, long.slice(1))).toBe(false);
    // A megabyte of input costs no more than the limit.
    const started = performance.now();
    expect(await verifyPassword(hash, 'y'.repeat(1_000_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
