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
});
