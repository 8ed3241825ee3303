import { MongoServerError, ObjectId, type Collection, type Db } from 'mongodb';
import type { UserDocument } from './user.type.js';

export class DuplicateKeyError extends Error {
  constructor(readonly field: 'email' | 'nickname' | 'other') {
    super(`duplicate ${field}`);
  }
}

function duplicateField(error: MongoServerError): 'email' | 'nickname' | 'other' {
  const text = `${JSON.stringify(error.keyPattern ?? {})} ${error.message}`;
  if (text.includes('emailLower')) return 'email';
  if (text.includes('nicknameLower')) return 'nickname';
  return 'other';
}

/** The `users` collection; the only code that talks to it. */
export class UserRepository {
  readonly collection: Collection<UserDocument>;

  constructor(db: Db) {
    this.collection = db.collection<UserDocument>('users');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { emailLower: 1 }, name: 'emailLower_unique', unique: true, sparse: true },
      { key: { nicknameLower: 1 }, name: 'nicknameLower_unique', unique: true },
    ]);
  }

  async insert(doc: Omit<UserDocument, '_id'>): Promise<UserDocument> {
    try {
      const { insertedId } = await this.collection.insertOne(doc as UserDocument);
      return { ...doc, _id: insertedId };
    } catch (error) {
      if (error instanceof MongoServerError && error.code === 11000) throw new DuplicateKeyError(duplicateField(error));
      throw error;
    }
  }

  findByIds(ids: readonly ObjectId[]): Promise<UserDocument[]> {
    return this.collection.find({ _id: { $in: [...ids] } }).toArray();
  }

  findByEmail(emailLower: string): Promise<UserDocument | null> {
    return this.collection.findOne({ emailLower: { $eq: emailLower } });
  }
}
