import 'reflect-metadata';
import { Field, InputType } from 'type-graphql';
import { ConcertStatus } from './concert.type.js';

@InputType('CreateConcertInput')
export class CreateConcertInput {
  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String)
  artist!: string;

  @Field(() => String)
  venue!: string;

  @Field(() => Date)
  startsAt!: Date;

  @Field(() => Date, { nullable: true })
  endsAt?: Date | null;

  @Field(() => Date, { nullable: true })
  ticketOpenAt?: Date | null;

  @Field(() => String, { nullable: true })
  posterUrl?: string | null;
}

@InputType('ConcertFilter')
export class ConcertFilter {
  @Field(() => ConcertStatus, { nullable: true })
  status?: ConcertStatus | null;

  @Field(() => String, { nullable: true, description: 'Words to find in title, artist or description.' })
  search?: string | null;

  @Field(() => String, { nullable: true, description: 'Exact artist name, case-insensitive.' })
  artist?: string | null;

  @Field(() => Date, { nullable: true, description: 'Concerts starting at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Concerts starting before this time.' })
  to?: Date | null;
}
