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

  @Field(() => Date, { nullable: true, description: 'Defaults to four hours after startsAt for the status.' })
  endsAt?: Date | null;

  @Field(() => Date, { nullable: true })
  ticketOpenAt?: Date | null;

  @Field(() => String, { nullable: true })
  posterUrl?: string | null;
}

/** Every field optional: absent keeps the value, null clears an optional one. */
@InputType('UpdateConcertInput')
export class UpdateConcertInput {
  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true })
  artist?: string | null;

  @Field(() => String, { nullable: true })
  venue?: string | null;

  @Field(() => Date, { nullable: true })
  startsAt?: Date | null;

  @Field(() => Date, { nullable: true })
  endsAt?: Date | null;

  @Field(() => Date, { nullable: true })
  ticketOpenAt?: Date | null;

  @Field(() => String, { nullable: true })
  posterUrl?: string | null;
}

@InputType('ConcertFilter')
export class ConcertFilter {
  @Field(() => ConcertStatus, { nullable: true, description: 'Status at the time of the query.' })
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
