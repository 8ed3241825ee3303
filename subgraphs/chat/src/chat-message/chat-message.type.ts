import 'reflect-metadata';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { ObjectId } from 'mongodb';
import { ConnectionType, encodeMessageCursor } from '@stagelives/schema';

/** A message as stored in the `messages` collection; (roomId, seq) is unique. */
export interface ChatMessageDocument {
  _id: ObjectId;
  roomId: ObjectId;
  /** Per room: 1, 2, 3, … with no gap, in commit order (see docs/chat.md). */
  seq: number;
  body: string;
  authorId: ObjectId;
  createdAt: Date;
}

@ObjectType('ChatMessage', { description: 'A plain-text message in a chat room.' })
@Directive('@key(fields: "id")')
export class ChatMessage {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Position in the room: starts at 1, no gaps, in the order messages were stored.' })
  seq!: number;

  @Field(() => String, { description: 'This message as a cursor: `before`/`after` of ChatRoom.messages, `after` of messageAdded.' })
  cursor!: string;

  @Field(() => String, { description: 'Plain text: newlines kept, other control characters removed; 1–2,000 characters.' })
  body!: string;

  @Field(() => Date)
  createdAt!: Date;

  roomId!: string;
  authorId!: string;

  static from(doc: ChatMessageDocument): ChatMessage {
    return Object.assign(new ChatMessage(), {
      id: doc._id.toHexString(),
      seq: doc.seq,
      cursor: encodeMessageCursor(doc.seq),
      body: doc.body,
      createdAt: doc.createdAt,
      roomId: doc.roomId.toHexString(),
      authorId: doc.authorId.toHexString(),
    });
  }
}

/** A page of a room's messages; `totalCount` is the room's newest seq (seqs have no gaps), read only when asked. */
export const ChatMessageConnection = ConnectionType('ChatMessage', ChatMessage);
export type ChatMessageConnection = Omit<InstanceType<typeof ChatMessageConnection>, 'totalCount'> & {
  /** The room the page belongs to, for `totalCount`. */
  room: { id: string; lastSeqHint: number };
};
