import 'reflect-metadata';
import { Field, InputType } from 'type-graphql';

@InputType('SongInput')
export class SongInput {
  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  artist?: string | null;
}

/** The whole setlist: it replaces the previous one. Songs are numbered in input order. */
@InputType('SetlistInput')
export class SetlistInput {
  @Field(() => [SongInput])
  songs!: SongInput[];

  @Field(() => [String], { nullable: true, description: 'YouTube Music or Spotify playlist links, any common form.' })
  playlistUrls?: string[] | null;
}
