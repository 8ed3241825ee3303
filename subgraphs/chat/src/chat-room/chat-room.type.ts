import 'reflect-metadata';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import type { ObjectId } from 'mongodb';
import { ConnectionType } from '@stagelives/schema';

/** A room as stored in the `rooms` collection. */
export interface ChatRoomDocument {
  _id: ObjectId;
  name: string;
  /** Absent (never null) for a room without a concert: the unique index on it is sparse. */
  concertId?: ObjectId;
  createdById: ObjectId;
  createdAt: Date;
  /** Creation, or the newest message: a hint moved by `$max` after each message (see docs/chat.md). */
  lastActivityAt: Date;
  /** A stored seq ≤ the room's newest one (0 before any): where the newest-message lookup starts. */
  lastSeqHint: number;
}

@ObjectType('ChatRoom', { description: 'A chat room, optionally the one room of a concert.' })
@Directive('@key(fields: "id")')
export class ChatRoom {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Plain text, one line, 1–80 characters.' })
  name!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { description: 'Creation or the newest message (rooms are listed by it, newest first).' })
  lastActivityAt!: Date;

  concertId!: string | null;
  lastSeqHint!: number;

  static from(doc: ChatRoomDocument): ChatRoom {
    return Object.assign(new ChatRoom(), {
      id: doc._id.toHexString(),
      name: doc.name,
      createdAt: doc.createdAt,
      lastActivityAt: doc.lastActivityAt,
      concertId: doc.concertId?.toHexString() ?? null,
      lastSeqHint: doc.lastSeqHint,
    });
  }
}

export const ChatRoomConnection = ConnectionType('ChatRoom', ChatRoom);
export type ChatRoomConnection = InstanceType<typeof ChatRoomConnection>;
