import 'reflect-metadata';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A reference to a user owned by the users subgraph; this subgraph only knows the id. */
@ObjectType('User')
@Directive('@key(fields: "id", resolvable: false)')
export class UserRef {
  @Field(() => ID)
  id!: string;

  static of(id: string): UserRef {
    return Object.assign(new UserRef(), { id });
  }
}
