import 'reflect-metadata';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { ObjectId } from 'mongodb';
import { CachePublic, ListSize, ViewerDependent, ViewerDependence } from '@stagelives/schema';

export enum Role {
  USER = 'USER',
  ADMIN = 'ADMIN',
}
registerEnumType(Role, { name: 'Role', description: 'What a user may do.' });

/** A user as stored in the `users` collection. */
export interface UserDocument {
  _id: ObjectId;
  email: string | null;
  /** Lower-cased email: the unique key (FerretDB has no collation). */
  emailLower?: string;
  nickname: string;
  nicknameLower: string;
  passwordHash: string | null;
  avatarUrl: string | null;
  roles: Role[];
  createdAt: Date;
  updatedAt: Date;
  /** Subject of a linked Google account. */
  googleSub?: string;
  /** Subject of a linked Apple account. */
  appleSub?: string;
  /** Set when the account was deleted: the document stays as a tombstone for authorship. */
  deletedAt?: Date;
}

/** What others see of an account that was deleted. */
const DELETED_USER_NICKNAME = 'deleted user';

@ObjectType('User', { description: 'A member of the community.' })
@Directive('@key(fields: "id")')
@CachePublic()
export class User {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'Visible only to the user themself and to admins.' })
  @ViewerDependent(ViewerDependence.OWNER)
  email!: string | null;

  @Field(() => String)
  nickname!: string;

  @Field(() => String, { nullable: true })
  avatarUrl!: string | null;

  @ListSize(Object.keys(Role).length)
  @Field(() => [Role])
  roles!: Role[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Boolean, { description: 'True for an account that was deleted; it keeps only its id.' })
  deleted!: boolean;

  static from(doc: UserDocument): User {
    if (doc.deletedAt) {
      return Object.assign(new User(), {
        id: doc._id.toHexString(),
        email: null,
        nickname: DELETED_USER_NICKNAME,
        avatarUrl: null,
        roles: [],
        createdAt: doc.createdAt,
        deleted: true,
      });
    }
    return Object.assign(new User(), {
      deleted: false,
      id: doc._id.toHexString(),
      email: doc.email,
      nickname: doc.nickname,
      avatarUrl: doc.avatarUrl,
      roles: doc.roles,
      createdAt: doc.createdAt,
    });
  }
}
