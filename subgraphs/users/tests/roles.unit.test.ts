import { describe, expect, it } from 'vitest';
import { bootstrapRoles, revokeRefusal, rolesFor } from '../src/auth/roles.js';
import { Role } from '../src/user/user.type.js';

const ADMINS = ['admin@stagelives.test', 'ops@stagelives.test'];

describe('rolesFor (a new account)', () => {
  it('should make ADMIN_EMAILS admins and everyone else a user', () => {
    expect(rolesFor('admin@stagelives.test', ADMINS)).toEqual([Role.USER, Role.ADMIN]);
    expect(rolesFor('ops@stagelives.test', ADMINS)).toEqual([Role.USER, Role.ADMIN]);
    expect(rolesFor('fan@stagelives.test', ADMINS)).toEqual([Role.USER]);
    expect(rolesFor('admin@stagelives.test', [])).toEqual([Role.USER]);
  });

  it('should grant nothing without an email (an unverified provider email is passed as none)', () => {
    expect(rolesFor(undefined, ADMINS)).toEqual([Role.USER]);
    expect(rolesFor('', [...ADMINS, ''])).toEqual([Role.USER]);
  });

  it('should match whole addresses only', () => {
    expect(rolesFor('xadmin@stagelives.test', ADMINS)).toEqual([Role.USER]);
    expect(rolesFor('admin@stagelives.test.evil', ADMINS)).toEqual([Role.USER]);
  });
});

describe('bootstrapRoles (an existing account signing in while no admin exists)', () => {
  it('should add ADMIN when the email is now listed', () => {
    expect(bootstrapRoles([Role.USER], 'admin@stagelives.test', ADMINS, false)).toEqual([Role.USER, Role.ADMIN]);
  });

  it('should change nothing (null) when the account has the roles already', () => {
    expect(bootstrapRoles([Role.USER], 'fan@stagelives.test', ADMINS, false)).toBeNull();
    expect(bootstrapRoles([Role.USER, Role.ADMIN], 'admin@stagelives.test', ADMINS, false)).toBeNull();
    expect(bootstrapRoles([Role.ADMIN, Role.USER], 'admin@stagelives.test', ADMINS, false)).toBeNull();
  });

  it('should never demote: an admin whose email left the list stays admin', () => {
    expect(bootstrapRoles([Role.USER, Role.ADMIN], 'former@stagelives.test', ADMINS, false)).toBeNull();
    expect(bootstrapRoles([Role.USER, Role.ADMIN], undefined, [], false)).toBeNull();
  });

  it('should keep the roles held and add the missing ones once, in order', () => {
    expect(bootstrapRoles([Role.ADMIN], undefined, ADMINS, false)).toEqual([Role.ADMIN, Role.USER]);
    expect(bootstrapRoles([], undefined, ADMINS, false)).toEqual([Role.USER]);
    expect(bootstrapRoles([], 'ops@stagelives.test', ADMINS, false)).toEqual([Role.USER, Role.ADMIN]);
  });
});

describe('bootstrapRoles once an admin exists', () => {
  it('should not make a listed email admin again: a revoked admin stays revoked', () => {
    expect(bootstrapRoles([Role.USER], 'admin@stagelives.test', ADMINS, true)).toBeNull();
    expect(bootstrapRoles([Role.USER, Role.MODERATOR], 'ops@stagelives.test', ADMINS, true)).toBeNull();
  });

  it('should still repair an account without USER', () => {
    expect(bootstrapRoles([], 'admin@stagelives.test', ADMINS, true)).toEqual([Role.USER]);
  });
});

describe('revokeRefusal (the last-admin rule)', () => {
  it('should refuse to demote the last admin', () => {
    expect(revokeRefusal(Role.ADMIN, [Role.USER, Role.ADMIN], 0)).toBe('LAST_ADMIN');
  });

  it('should demote an admin when another admin remains', () => {
    expect(revokeRefusal(Role.ADMIN, [Role.USER, Role.ADMIN], 1)).toBeNull();
  });

  it('should let a moderator role go even when no other admin exists', () => {
    expect(revokeRefusal(Role.MODERATOR, [Role.USER, Role.MODERATOR, Role.ADMIN], 0)).toBeNull();
  });

  it('should not count as last admin an account that is not admin', () => {
    expect(revokeRefusal(Role.ADMIN, [Role.USER], 0)).toBeNull();
  });

  it('should never revoke USER', () => {
    expect(revokeRefusal(Role.USER, [Role.USER], 5)).toBe('NOT_GRANTABLE');
  });
});
