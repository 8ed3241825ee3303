import 'reflect-metadata';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { ObjectId } from 'mongodb';
import { CONCERT_STATUSES, CachePublic, ConnectionType, type ConcertStatusName } from '@stagelives/schema';
import { effectiveStatus } from './concert-status.js';

/** The GraphQL enum `ConcertStatus`, built from the one list of statuses (schema's events carry it). */
export const ConcertStatus = Object.freeze(Object.fromEntries(CONCERT_STATUSES.map((s) => [s, s]))) as { readonly [S in ConcertStatusName]: S };
export type ConcertStatus = ConcertStatusName;
registerEnumType(ConcertStatus, { name: 'ConcertStatus' });

export interface ConcertDocument {
  _id: ObjectId;
  title: string;
  description: string | null;
  artist: string;
  venue: string;
  startsAt: Date;
  endsAt: Date | null;
  ticketOpenAt: Date | null;
  /** Stored status: CANCELLED, or what the status worker last persisted from the dates. */
  status: ConcertStatus;
  /** `endsAt`, or `startsAt` plus the default duration: what the status rules compare. */
  effectiveEndsAt: Date;
  /**
   * The week `startsAt` falls in (`startsWeekOf`), kept with it by ConcertRepository: what page
   * reads on FerretDB look concerts up by. Absent only on documents written before it existed or
   * around the repository, until the subgraph's start-up fills them (on a server where pages are read by week).
   */
  startsWeek?: number;
  /** Lower-cased artist (FerretDB has no collation). */
  artistKey: string;
  posterUrl: string | null;
  /**
   * How many like documents it has, moved by every like and unlike (ConcertRepository.addLikes);
   * the like documents stay the truth and `recountLikes` repairs a difference. Absent only on
   * documents written before it existed, until the subgraph's start-up fills them.
   */
  likeCount?: number;
  createdBy: ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

@ObjectType('Concert', { description: 'A show fans can follow, like and talk about.' })
@Directive('@key(fields: "id")')
@CachePublic()
export class Concert {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String)
  artist!: string;

  @Field(() => String)
  venue!: string;

  @Field(() => Date)
  startsAt!: Date;

  @Field(() => Date, { nullable: true })
  endsAt!: Date | null;

  @Field(() => Date, { nullable: true })
  ticketOpenAt!: Date | null;

  @Field(() => ConcertStatus, { description: 'Computed from the dates when the query runs; CANCELLED stays.' })
  status!: ConcertStatus;

  @Field(() => String, { nullable: true })
  posterUrl!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  /** Id of the admin who created it; exposed as `createdBy`, resolved by the users subgraph. */
  createdById!: string;

  /** Stored like count (resolved by `likeCount`). */
  likes!: number;

  static from(doc: ConcertDocument, now = new Date()): Concert {
    return Object.assign(new Concert(), {
      id: doc._id.toHexString(),
      title: doc.title,
      description: doc.description,
      artist: doc.artist,
      venue: doc.venue,
      startsAt: doc.startsAt,
      endsAt: doc.endsAt,
      ticketOpenAt: doc.ticketOpenAt,
      status: effectiveStatus(doc, now),
      posterUrl: doc.posterUrl,
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
      createdById: doc.createdBy.toHexString(),
      likes: doc.likeCount ?? 0,
    });
  }
}

export const ConcertConnection = ConnectionType('Concert', Concert);
export type ConcertConnection = InstanceType<typeof ConcertConnection>;
