import 'reflect-metadata';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A concert owned by the concerts subgraph; this subgraph adds `articles`. */
@ObjectType('Concert')
@Directive('@key(fields: "id")')
export class ConcertRef {
  @Field(() => ID)
  id!: string;

  static of(id: string): ConcertRef {
    return Object.assign(new ConcertRef(), { id });
  }
}
