import { byId, ensureIndexes, findByIds, isDuplicateKeyError, duplicateKeyText } from '@stagelives/platform';
import { ObjectId, type MongoServerError, type Collection, type Db, type UpdateFilter } from 'mongodb';
import type { EmailTokenDocument, Role, SuspensionDocument, UserDocument } from './user.type.js';

export type Provider = 'google' | 'apple';

export class DuplicateKeyError extends Error {
  constructor(readonly field: 'email' | 'nickname' | 'provider' | 'other') {
    super(`duplicate ${field}`);
  }
}

type DuplicateField = DuplicateKeyError['field'];

function duplicateField(error: MongoServerError): DuplicateField {
  // In lower case: FerretDB on PostgreSQL names the index as PostgreSQL does (`…_nicknamelower_uniq_…_idx`).
  const text = duplicateKeyText(error).toLowerCase();
  if (text.includes('emaillower')) return 'email';
  if (text.includes('nicknamelower')) return 'nickname';
  if (text.includes('googlesub') || text.includes('applesub')) return 'provider';
  return 'other';
}

async function mapDuplicates<T>(op: () => Promise<T>, unnamed: () => Promise<DuplicateField> = async () => 'other'): Promise<T> {
  try {
    return await op();
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const field = duplicateField(error);
    throw new DuplicateKeyError(field === 'other' ? await unnamed() : field);
  }
}

/** The unique keys, in the order a clash is reported: the same sign-in first (a race), then email, then nickname. */
const UNIQUE_KEYS = [
  ['googleSub', 'provider'],
  ['appleSub', 'provider'],
  ['emailLower', 'email'],
  ['nicknameLower', 'nickname'],
] as const satisfies ReadonlyArray<readonly [keyof UserDocument, DuplicateField]>;

const providerField = (provider: Provider) => (provider === 'google' ? 'googleSub' : 'appleSub');

/** The `users` collection; the only code that talks to it. */
export class UserRepository {
  readonly collection: Collection<UserDocument>;

  /** `pointReadsUpTo`: ids `findByIds` reads one by one (platform's pointReadsFor). */
  constructor(
    db: Db,
    private readonly pointReadsUpTo = 0,
  ) {
    this.collection = db.collection<UserDocument>('users');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { emailLower: 1 }, name: 'emailLower_unique', unique: true, sparse: true },
      { key: { nicknameLower: 1 }, name: 'nicknameLower_unique', unique: true },
      { key: { googleSub: 1 }, name: 'googleSub_unique', unique: true, sparse: true },
      { key: { appleSub: 1 }, name: 'appleSub_unique', unique: true, sparse: true },
      { key: { 'passwordReset.tokenHash': 1 }, name: 'passwordReset_tokenHash', sparse: true },
      { key: { 'emailVerification.tokenHash': 1 }, name: 'emailVerification_tokenHash', sparse: true },
    ]);
  }

  /** Inserts an account; a taken email, nickname or provider subject becomes DuplicateKeyError naming it. */
  insert(doc: Omit<UserDocument, '_id'>): Promise<UserDocument> {
    return mapDuplicates(
      async () => {
        const { insertedId } = await this.collection.insertOne(doc as UserDocument);
        return { ...doc, _id: insertedId } as UserDocument;
      },
      () => this.takenKeyOf(doc),
    );
  }

  /**
   * Which unique value of `doc` another account holds. FerretDB names the violated index for
   * updates but not for inserts (MongoDB does for both), so an insert's clash is looked up.
   */
  private async takenKeyOf(doc: Omit<UserDocument, '_id'>): Promise<DuplicateField> {
    for (const [key, field] of UNIQUE_KEYS) {
      const value = doc[key];
      if (value === undefined || value === null) continue;
      if (await this.collection.findOne({ [key]: { $eq: value } }, { projection: { _id: 1 } })) return field;
    }
    return 'other';
  }

  findByIds(ids: readonly ObjectId[]): Promise<UserDocument[]> {
    return findByIds(this.collection, ids, {}, this.pointReadsUpTo);
  }

  findById(id: ObjectId): Promise<UserDocument | null> {
    return this.collection.findOne(byId(id));
  }

  findByEmail(emailLower: string): Promise<UserDocument | null> {
    return this.collection.findOne({ emailLower: { $eq: emailLower }, deletedAt: { $exists: false } });
  }

  findByProvider(provider: Provider, subject: string): Promise<UserDocument | null> {
    return this.collection.findOne({ [providerField(provider)]: { $eq: subject }, deletedAt: { $exists: false } });
  }

  /** Links a provider account found by an email the provider verified: the email counts as verified. */
  linkProvider(id: ObjectId, provider: Provider, subject: string): Promise<UserDocument | null> {
    return this.update(id, { $set: { [providerField(provider)]: subject, emailVerified: true } });
  }

  /**
   * Stores a new password-reset token, replacing any earlier one (which stops working). `null`
   * (an email with no account) sends the same write for a fresh id that matches nothing.
   */
  async setPasswordReset(id: ObjectId | null, token: EmailTokenDocument): Promise<void> {
    await this.collection.updateOne({ _id: { $eq: id ?? new ObjectId() }, deletedAt: { $exists: false } }, { $set: { passwordReset: token } });
  }

  /**
   * Uses a password-reset token once: when a live account holds it unexpired, sets the new
   * password hash (the link proves the address too) and removes the token, atomically; null otherwise.
   */
  consumePasswordReset(tokenHash: string, passwordHash: string, now = new Date()): Promise<UserDocument | null> {
    return this.collection.findOneAndUpdate(
      { 'passwordReset.tokenHash': { $eq: tokenHash }, 'passwordReset.expiresAt': { $gt: now }, deletedAt: { $exists: false } },
      { $set: { passwordHash, emailVerified: true, updatedAt: now }, $unset: { passwordReset: '' } },
      { returnDocument: 'after' },
    );
  }

  /** Stores a new verification token, replacing any earlier one. */
  async setEmailVerification(id: ObjectId, token: EmailTokenDocument): Promise<void> {
    await this.collection.updateOne({ _id: { $eq: id }, deletedAt: { $exists: false } }, { $set: { emailVerification: token } });
  }

  /** Uses a verification token once: marks the address verified and removes the token, atomically; null when none matches. */
  consumeEmailVerification(tokenHash: string, now = new Date()): Promise<UserDocument | null> {
    return this.collection.findOneAndUpdate(
      { 'emailVerification.tokenHash': { $eq: tokenHash }, 'emailVerification.expiresAt': { $gt: now }, deletedAt: { $exists: false } },
      { $set: { emailVerified: true, updatedAt: now }, $unset: { emailVerification: '' } },
      { returnDocument: 'after' },
    );
  }

  setRoles(id: ObjectId, roles: Role[]): Promise<UserDocument | null> {
    return this.update(id, { $set: { roles } });
  }

  /** Adds a role to a live account (a no-op when it has it); the account after, or null. */
  addRole(id: ObjectId, role: Role): Promise<UserDocument | null> {
    return this.update(id, { $addToSet: { roles: role } });
  }

  /** Removes a role from a live account (a no-op when it lacks it); the account after, or null. */
  removeRole(id: ObjectId, role: Role): Promise<UserDocument | null> {
    return this.update(id, { $pull: { roles: role } });
  }

  /** How many live accounts other than `except` hold `role`, counting up to `limit`. */
  async countWithRole(role: Role, except: ObjectId | null, limit = 1): Promise<number> {
    const filter = { roles: { $eq: role }, deletedAt: { $exists: false }, ...(except ? { _id: { $ne: except } } : {}) };
    return this.collection.countDocuments(filter, { limit });
  }

  setSuspension(id: ObjectId, suspension: SuspensionDocument): Promise<UserDocument | null> {
    return this.update(id, { $set: { suspension } });
  }

  clearSuspension(id: ObjectId): Promise<UserDocument | null> {
    return this.update(id, { $unset: { suspension: '' } });
  }

  /** Applies an update to a live account and returns the new document; duplicates become DuplicateKeyError. */
  update(id: ObjectId, update: UpdateFilter<UserDocument>): Promise<UserDocument | null> {
    const withTime = { ...update, $set: { ...(update.$set ?? {}), updatedAt: new Date() } } as UpdateFilter<UserDocument>;
    return mapDuplicates(() => this.collection.findOneAndUpdate({ _id: { $eq: id }, deletedAt: { $exists: false } }, withTime, { returnDocument: 'after' }));
  }

  /** Removes personal data and keeps a tombstone, so authorship of kept content resolves. */
  async tombstone(id: ObjectId, now = new Date()): Promise<void> {
    await this.collection.updateOne(byId(id), {
      $set: {
        deletedAt: now,
        updatedAt: now,
        nickname: '',
        nicknameLower: `deleted:${id.toHexString()}`,
        roles: [],
        email: null,
        avatarUrl: null,
        passwordHash: null,
      },
      $unset: { emailLower: '', googleSub: '', appleSub: '', passwordReset: '', emailVerification: '' },
    });
  }
}
