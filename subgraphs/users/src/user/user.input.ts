import 'reflect-metadata';
import { Field, InputType } from 'type-graphql';

@InputType('UpdateProfileInput')
export class UpdateProfileInput {
  @Field(() => String, { nullable: true })
  nickname?: string | null;

  @Field(() => String, { nullable: true, description: 'An http(s) URL; null removes the avatar.' })
  avatarUrl?: string | null;
}
