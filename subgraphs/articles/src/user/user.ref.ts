import 'reflect-metadata';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A user owned by the users subgraph; this subgraph adds `bookmarkedArticles`. */
@ObjectType('User')
@Directive('@key(fields: "id")')
export class UserRef {
  @Field(() => ID)
  id!: string;

  static of(id: string): UserRef {
    return Object.assign(new UserRef(), { id });
  }
}
