import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratchSuite } from '@stagelives/devkit';
import { createUserLoader } from '../src/user/user.loader.js';
import { DuplicateKeyError, UserRepository } from '../src/user/user.repository.js';
import { Role, User, type UserDocument } from '../src/user/user.type.js';

describe('users collection (FerretDB)', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri') });
  let repo: UserRepository;
  beforeAll(async () => {
    repo = new UserRepository(scratch.db('users'));
    await repo.ensureIndexes();
  });

  let n = 0;
  const account = (over: Partial<Omit<UserDocument, '_id'>> = {}): Omit<UserDocument, '_id'> => {
    n += 1;
    const now = new Date();
    return {
      email: `Fan${n}@Example.com`,
      emailLower: `fan${n}@example.com`,
      nickname: `Fan${n}`,
      nicknameLower: `fan${n}`,
      passwordHash: 'hash',
      avatarUrl: null,
      roles: [Role.USER],
      createdAt: now,
      updatedAt: now,
      ...over,
    };
  };
  const sub = () => randomBytes(6).toString('hex');
  const duplicateField = (promise: Promise<unknown>) =>
    promise.then(
      () => 'none',
      (error: unknown) => (error instanceof DuplicateKeyError ? error.field : error),
    );

  it('should create its indexes (unique keys, link tokens), again on a restart', async () => {
    await repo.ensureIndexes();
    const names = (await repo.collection.listIndexes().toArray()).map((i) => i.name).sort();
    expect(names).toEqual([
      '_id_',
      'appleSub_unique',
      'emailLower_unique',
      'emailVerification_tokenHash',
      'googleSub_unique',
      'nicknameLower_unique',
      'passwordReset_tokenHash',
    ]);
  });

  it('should tell which unique key a duplicate hit', async () => {
    const first = await repo.insert(account({ googleSub: sub() }));
    expect(await duplicateField(repo.insert(account({ emailLower: first.emailLower! })))).toBe('email');
    expect(await duplicateField(repo.insert(account({ nicknameLower: first.nicknameLower })))).toBe('nickname');
    expect(await duplicateField(repo.insert(account({ googleSub: first.googleSub! })))).toBe('provider');
    // The same sign-in inserted twice (a race) is reported as the provider, whatever else clashes too.
    expect(await duplicateField(repo.insert(account({ googleSub: first.googleSub!, emailLower: first.emailLower!, nicknameLower: first.nicknameLower })))).toBe(
      'provider',
    );
    expect(await duplicateField(repo.insert(account({ emailLower: first.emailLower!, nicknameLower: first.nicknameLower })))).toBe('email');
    const other = await repo.insert(account());
    expect(await duplicateField(repo.update(other._id, { $set: { nicknameLower: first.nicknameLower } }))).toBe('nickname');
    expect(await duplicateField(repo.update(other._id, { $set: { emailLower: first.emailLower! } }))).toBe('email');
    expect(await duplicateField(repo.linkProvider(other._id, 'google', first.googleSub!))).toBe('provider');
  });

  it('should let many accounts have no email or provider (sparse keys)', async () => {
    await repo.insert(account({ email: null, emailLower: undefined }));
    const { emailLower: _e, ...noEmail } = account({ email: null });
    await expect(repo.insert(noEmail)).resolves.toMatchObject({ email: null });
    expect(await repo.collection.countDocuments({ googleSub: { $exists: false } })).toBeGreaterThan(1);
  });

  it('should find live accounts by email key and provider subject', async () => {
    const fan = await repo.insert(account({ appleSub: sub() }));
    expect((await repo.findByEmail(fan.emailLower!))?._id).toEqual(fan._id);
    expect(await repo.findByEmail(fan.email!)).toBeNull(); // the key, not the address as typed
    expect((await repo.findByProvider('apple', fan.appleSub!))?._id).toEqual(fan._id);
    expect(await repo.findByProvider('google', fan.appleSub!)).toBeNull();
    const googleSub = sub();
    const linked = await repo.linkProvider(fan._id, 'google', googleSub);
    expect(linked).toMatchObject({ googleSub, appleSub: fan.appleSub });
    expect(linked!.updatedAt.getTime()).toBeGreaterThanOrEqual(fan.updatedAt.getTime());
  });

  it('should tombstone a deleted account: personal data gone, email and nickname free, id kept', async () => {
    const fan = await repo.insert(account({ googleSub: sub(), avatarUrl: 'https://cdn.example.com/a.png', roles: [Role.USER, Role.ADMIN] }));
    await repo.tombstone(fan._id);
    const stored = await repo.findById(fan._id);
    expect(stored).toMatchObject({
      email: null,
      nickname: '',
      avatarUrl: null,
      passwordHash: null,
      roles: [],
      nicknameLower: `deleted:${fan._id.toHexString()}`,
    });
    expect(stored!.deletedAt).toBeInstanceOf(Date);
    expect(stored).not.toHaveProperty('emailLower');
    expect(stored).not.toHaveProperty('googleSub');
    expect(await repo.findByEmail(fan.emailLower!)).toBeNull();
    expect(await repo.findByProvider('google', fan.googleSub!)).toBeNull();
    expect(await repo.update(fan._id, { $set: { avatarUrl: 'https://x.example.com' } })).toBeNull();
    expect(await repo.setRoles(fan._id, [Role.USER])).toBeNull();
    await expect(repo.insert(account({ emailLower: fan.emailLower!, nicknameLower: fan.nicknameLower, googleSub: fan.googleSub! }))).resolves.toBeTruthy();
    expect(User.from(stored!)).toMatchObject({ id: fan._id.toHexString(), nickname: 'deleted user', email: null, deleted: true, roles: [] });
  });

  it('should load users by id in one batch; ids that cannot exist are null', async () => {
    const [a, b] = [await repo.insert(account()), await repo.insert(account())];
    const loader = createUserLoader(repo);
    const ids = [a._id.toHexString(), b._id.toHexString().toUpperCase(), new ObjectId().toHexString(), 'nope', ''];
    const found = await loader.loadMany(ids);
    expect(found.map((d) => (d && !(d instanceof Error) ? d._id.toHexString() : null))).toEqual([a._id.toHexString(), b._id.toHexString(), null, null, null]);
  });
});
