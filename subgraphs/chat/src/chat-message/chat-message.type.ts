import 'reflect-metadata';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { ObjectId } from 'mongodb';
import { ConnectionType, ListSize, encodeMessageCursor } from '@stagelives/schema';

/** A message as stored in the `messages` collection; (roomId, seq) is unique. */
export interface ChatMessageDocument {
  _id: ObjectId;
  roomId: ObjectId;
  /** Per room: 1, 2, 3, … with no gap, in commit order (see docs/chat.md). */
  seq: number;
  body: string;
  authorId: ObjectId;
  createdAt: Date;
  /** Set while staff keep the message hidden (the moderation event's `at`): only its author still sees it. */
  hiddenAt?: Date;
  hiddenReason?: string | null;
  /** The `at` of the last moderation event applied (hidden or restored): an older or repeated one changes nothing. */
  moderatedAt?: Date;
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

  @Field(() => Boolean, {
    description: 'True when staff hid this message: nobody but its author sees it any more (and they see it marked so). Restoring brings it back unchanged.',
  })
  hidden!: boolean;

  roomId!: string;
  authorId!: string;

  static from(doc: ChatMessageDocument): ChatMessage {
    return Object.assign(new ChatMessage(), {
      id: doc._id.toHexString(),
      seq: doc.seq,
      cursor: encodeMessageCursor(doc.seq),
      body: doc.body,
      createdAt: doc.createdAt,
      hidden: doc.hiddenAt !== undefined,
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

/** Whether a viewer (null: anonymous) may see a message: everyone unless staff hid it, and its author always. */
export function visibleTo(doc: ChatMessageDocument, viewerId: string | null): boolean {
  return doc.hiddenAt === undefined || (viewerId !== null && doc.authorId.toHexString() === viewerId.toLowerCase());
}

/** What the router reads for `messageAdded`: the visible messages of a range and how far storage was read. */
@ObjectType('ChatMessageFeed', { description: "A range of a room's messages as the router reads it for live subscribers." })
export class ChatMessageFeed {
  @ListSize(200)
  @Field(() => [ChatMessage], { description: 'The messages of the range this viewer may see, ascending by seq.' })
  messages!: ChatMessage[];

  @Field(() => Int, { description: 'The highest seq read (hidden messages included); afterSeq when the range held none. Continue after it.' })
  lastSeq!: number;

  @Field(() => Boolean, { description: 'The read stopped at its limit: more messages may follow lastSeq.' })
  hasMore!: boolean;
}

/** A message staff hid, as `messageRemoved` subscribers get it. */
@ObjectType('MessageRemovedEvent', { description: 'Staff hid a message of the room: clients drop it.' })
export class MessageRemovedEvent {
  @Field(() => ID)
  messageId!: string;

  @Field(() => ID)
  roomId!: string;

  @Field(() => Int, { description: "The removed message's seq in its room." })
  seq!: number;

  @Field(() => Date, { description: 'When staff hid it.' })
  removedAt!: Date;

  static from(doc: ChatMessageDocument): MessageRemovedEvent {
    return Object.assign(new MessageRemovedEvent(), {
      messageId: doc._id.toHexString(),
      roomId: doc.roomId.toHexString(),
      seq: doc.seq,
      removedAt: doc.hiddenAt ?? doc.moderatedAt ?? doc.createdAt,
    });
  }
}
