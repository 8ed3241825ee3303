import { describe, expect, it } from 'vitest';
import { bootstrapRoles, rolesFor } from '../src/auth/roles.js';
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

describe('bootstrapRoles (an existing account signing in)', () => {
  it('should add ADMIN when the email is now listed', () => {
    expect(bootstrapRoles([Role.USER], 'admin@stagelives.test', ADMINS)).toEqual([Role.USER, Role.ADMIN]);
  });

  it('should change nothing (null) when the account has the roles already', () => {
    expect(bootstrapRoles([Role.USER], 'fan@stagelives.test', ADMINS)).toBeNull();
    expect(bootstrapRoles([Role.USER, Role.ADMIN], 'admin@stagelives.test', ADMINS)).toBeNull();
    expect(bootstrapRoles([Role.ADMIN, Role.USER], 'admin@stagelives.test', ADMINS)).toBeNull();
  });

  it('should never demote: an admin whose email left the list stays admin', () => {
    expect(bootstrapRoles([Role.USER, Role.ADMIN], 'former@stagelives.test', ADMINS)).toBeNull();
    expect(bootstrapRoles([Role.USER, Role.ADMIN], undefined, [])).toBeNull();
  });

  it('should keep the roles held and add the missing ones once, in order', () => {
    expect(bootstrapRoles([Role.ADMIN], undefined, ADMINS)).toEqual([Role.ADMIN, Role.USER]);
    expect(bootstrapRoles([], undefined, ADMINS)).toEqual([Role.USER]);
    expect(bootstrapRoles([], 'ops@stagelives.test', ADMINS)).toEqual([Role.USER, Role.ADMIN]);
  });
});
