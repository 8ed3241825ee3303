import { describe, expect, it } from 'vitest';
import { localeFrom, passwordChangedMail, passwordResetMail, verificationMail } from '../src/mail/messages.js';

describe('localeFrom (Accept-Language)', () => {
  it('should pick Korean or English by q-value and order, English otherwise', () => {
    expect(localeFrom('ko-KR,ko;q=0.9,en-US;q=0.8')).toBe('ko');
    expect(localeFrom('en-US,en;q=0.9,ko;q=0.8')).toBe('en');
    expect(localeFrom('ja-JP, ko;q=0.5, en;q=0.4')).toBe('ko');
    expect(localeFrom('en;q=0.3, KO;q=0.7')).toBe('ko');
    expect(localeFrom('ko;q=0, en;q=0.1')).toBe('en');
    expect(localeFrom('fr-FR')).toBe('en');
    expect(localeFrom(undefined)).toBe('en');
    expect(localeFrom('')).toBe('en');
  });
});

describe('messages', () => {
  it('should carry the same link in the text and the HTML part, with the nickname escaped in HTML', () => {
    const link = 'https://app.example/verify-email?token=abc_-123';
    for (const lang of ['ko', 'en'] as const) {
      const mail = verificationMail(lang, '<b>fan</b>', link);
      expect(mail.lang).toBe(lang);
      expect(mail.text).toContain(link);
      expect(mail.html).toContain(`href="${link}"`);
      expect(mail.html).toContain(`<html lang="${lang}">`);
      expect(mail.html).not.toContain('<b>fan</b>');
      expect(mail.html).toContain('&#60;b&#62;fan&#60;/b&#62;');
    }
    expect(passwordResetMail('en', 'fan', link, 30).text).toContain('for 30 minutes');
    expect(passwordResetMail('ko', 'fan', link, 30).subject).toBe('[stagelives] 비밀번호 재설정');
    expect(passwordChangedMail('en', 'fan', new Date('2030-01-02T03:04:05Z')).text).toContain('2030-01-02 03:04 (UTC)');
  });
});
