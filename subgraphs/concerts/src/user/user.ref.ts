import 'reflect-metadata';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * A user owned by the users subgraph. This subgraph knows only the id and adds
 * `likedConcerts`, so the key is resolvable: the router asks it for `User` by id.
 */
@ObjectType('User')
@Directive('@key(fields: "id")')
export class UserRef {
  @Field(() => ID)
  id!: string;

  static of(id: string): UserRef {
    return Object.assign(new UserRef(), { id });
  }
}

export const userReferenceResolver = {
  User: {
    __resolveReference: (ref: { id: string }) => UserRef.of(ref.id),
  },
};
