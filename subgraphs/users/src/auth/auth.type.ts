import 'reflect-metadata';
import { Field, InputType, ObjectType } from 'type-graphql';
import { User } from '../user/user.type.js';

@ObjectType('AuthPayload', { description: 'A new session: web clients also get it as a cookie.' })
export class AuthPayload {
  @Field(() => String, { description: 'Send as `Authorization: Bearer <sessionToken>` (mobile clients).' })
  sessionToken!: string;

  @Field(() => User)
  user!: User;
}

@InputType('SignUpInput')
export class SignUpInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;

  @Field(() => String)
  nickname!: string;
}
