import 'reflect-metadata';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { ObjectId } from 'mongodb';

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
  emailLower: string | null;
  nickname: string;
  nicknameLower: string;
  passwordHash: string | null;
  avatarUrl: string | null;
  roles: Role[];
  createdAt: Date;
  updatedAt: Date;
}

@ObjectType('User', { description: 'A member of the community.' })
@Directive('@key(fields: "id")')
export class User {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'Visible only to the user themself and to admins.' })
  email!: string | null;

  @Field(() => String)
  nickname!: string;

  @Field(() => String, { nullable: true })
  avatarUrl!: string | null;

  @Field(() => [Role])
  roles!: Role[];

  @Field(() => Date)
  createdAt!: Date;

  static from(doc: UserDocument): User {
    return Object.assign(new User(), {
      id: doc._id.toHexString(),
      email: doc.email,
      nickname: doc.nickname,
      avatarUrl: doc.avatarUrl,
      roles: doc.roles,
      createdAt: doc.createdAt,
    });
  }
}
