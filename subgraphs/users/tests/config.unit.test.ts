import { describe, expect, it } from 'vitest';
import { loadUsersConfig } from '../src/config.js';

describe('users config', () => {
  it('should default to 5 failures and a 30-minute lock, providers off', () => {
    const config = loadUsersConfig({});
    expect(config).toMatchObject({
      LOGIN_MAX_FAILURES: 5,
      LOGIN_LOCK_SECONDS: 1800,
      GOOGLE_CLIENT_IDS: [],
      APPLE_CLIENT_IDS: [],
      GOOGLE_ISSUERS: ['https://accounts.google.com', 'accounts.google.com'],
      APPLE_ISSUER: 'https://appleid.apple.com',
    });
  });

  it('should read comma lists trimmed, without empty entries', () => {
    const config = loadUsersConfig({
      GOOGLE_CLIENT_IDS: ' web.apps , ios.apps,,',
      APPLE_CLIENT_IDS: 'com.stagelives.app',
      GOOGLE_ISSUERS: ' https://issuer.test ',
    });
    expect(config.GOOGLE_CLIENT_IDS).toEqual(['web.apps', 'ios.apps']);
    expect(config.APPLE_CLIENT_IDS).toEqual(['com.stagelives.app']);
    expect(config.GOOGLE_ISSUERS).toEqual(['https://issuer.test']);
    expect(loadUsersConfig({ GOOGLE_ISSUERS: ' , ' }).GOOGLE_ISSUERS).toEqual(['https://accounts.google.com', 'accounts.google.com']);
  });

  it('should refuse limits that are not positive integers and JWKS URLs that are not URLs', () => {
    for (const env of [
      { LOGIN_MAX_FAILURES: '0' },
      { LOGIN_MAX_FAILURES: '2.5' },
      { LOGIN_LOCK_SECONDS: '-1' },
      { LOGIN_LOCK_SECONDS: 'soon' },
      { GOOGLE_JWKS_URL: 'not a url' },
    ]) {
      expect(() => loadUsersConfig(env), JSON.stringify(env)).toThrow(/Invalid configuration/);
    }
    expect(loadUsersConfig({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_SECONDS: '60' })).toMatchObject({ LOGIN_MAX_FAILURES: 3, LOGIN_LOCK_SECONDS: 60 });
  });

  it('should stop in production without SMTP_URL, MAIL_FROM or PUBLIC_URL, naming each; default them elsewhere', () => {
    expect(() => loadUsersConfig({ NODE_ENV: 'production' })).toThrow(
      /SMTP_URL is required in production but not set[\s\S]*MAIL_FROM is required in production but not set[\s\S]*PUBLIC_URL is required in production but not set/,
    );
    expect(() => loadUsersConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail:587', MAIL_FROM: 'x <a@b.c>' })).toThrow(
      /^(?![\s\S]*SMTP_URL)[\s\S]*PUBLIC_URL is required/,
    );
    const prod = loadUsersConfig({ NODE_ENV: 'production', SMTP_URL: 'smtps://u:p@mail:465', MAIL_FROM: 'x <a@b.c>', PUBLIC_URL: 'https://app.example/' });
    expect(prod).toMatchObject({
      SMTP_URL: 'smtps://u:p@mail:465',
      PUBLIC_URL: 'https://app.example',
      PASSWORD_RESET_PER_EMAIL: 3,
      PASSWORD_RESET_MIN_MS: 250,
    });
    const dev = loadUsersConfig({ NODE_ENV: 'development' });
    expect(dev.SMTP_URL).toBeUndefined();
    expect(dev.PUBLIC_URL).toBe('http://localhost:4000');
    expect(() => loadUsersConfig({ SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL: must be an smtp/);
  });
});
