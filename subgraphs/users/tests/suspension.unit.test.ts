import { describe, expect, it } from 'vitest';
import { suspendRefusal, untilRefusal } from '../src/staff/suspension.js';
import { activeSuspension } from '../src/user/user.type.js';

const user = (id: string, ...roles: string[]) => ({ id, userId: id, roles: ['USER', ...roles] });

describe('suspendRefusal (who may suspend whom)', () => {
  it('should refuse suspending oneself, as a moderator or an admin', () => {
    expect(suspendRefusal(user('a', 'MODERATOR'), user('a', 'MODERATOR'))).toBe('SELF');
    expect(suspendRefusal(user('a', 'ADMIN'), user('a', 'ADMIN'))).toBe('SELF');
  });

  it('should refuse a moderator suspending staff', () => {
    expect(suspendRefusal(user('m', 'MODERATOR'), user('x', 'ADMIN'))).toBe('STAFF_TARGET');
    expect(suspendRefusal(user('m', 'MODERATOR'), user('x', 'MODERATOR'))).toBe('STAFF_TARGET');
  });

  it('should let a moderator suspend a user and an admin suspend anyone else', () => {
    expect(suspendRefusal(user('m', 'MODERATOR'), user('x'))).toBeNull();
    expect(suspendRefusal(user('a', 'ADMIN'), user('x', 'MODERATOR'))).toBeNull();
    expect(suspendRefusal(user('a', 'ADMIN'), user('x', 'ADMIN'))).toBeNull();
  });
});

describe('untilRefusal', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('should take null (indefinite) and a future time', () => {
    expect(untilRefusal(null, now)).toBeNull();
    expect(untilRefusal(new Date('2026-01-01T00:00:01Z'), now)).toBeNull();
  });

  it('should refuse now and the past', () => {
    expect(untilRefusal(now, now)).toMatch(/future/);
    expect(untilRefusal(new Date('2025-12-31T00:00:00Z'), now)).toMatch(/future/);
  });
});

describe('activeSuspension', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const suspension = (until: Date | null) => ({ reason: 'spam', until, createdAt: new Date('2025-01-01T00:00:00Z'), byId: 'm' });
  it('should be in force while until is ahead, or indefinitely', () => {
    expect(activeSuspension({ suspension: suspension(null) }, now)).not.toBeNull();
    expect(activeSuspension({ suspension: suspension(new Date('2026-01-02T00:00:00Z')) }, now)).not.toBeNull();
  });

  it('should no longer block once expired, or when there is none', () => {
    expect(activeSuspension({ suspension: suspension(new Date('2025-12-31T00:00:00Z')) }, now)).toBeNull();
    expect(activeSuspension({}, now)).toBeNull();
    expect(activeSuspension({ suspension: null }, now)).toBeNull();
  });
});
