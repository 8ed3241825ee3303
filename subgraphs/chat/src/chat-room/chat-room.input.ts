import 'reflect-metadata';
import { Field, ID, InputType } from 'type-graphql';

@InputType('CreateChatRoomInput')
export class CreateChatRoomInput {
  @Field(() => String, { description: 'Plain text, one line; trimmed, 1–80 characters.' })
  name!: string;

  @Field(() => ID, { nullable: true, description: 'At most one room per concert: creating a second one returns the existing room (and joins it).' })
  concertId?: string | null;
}
