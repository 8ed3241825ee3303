import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { ChatRoom } from '../chat-room/chat-room.type.js';
import type { ChatContext } from '../context.js';
import { UserReference } from '../user/user.reference.js';
import { ChatMessage, ChatMessageConnection, ChatMessageFeed, MessageRemovedEvent } from './chat-message.type.js';
import { ListSize, RateLimit, ViewerDependence, ViewerDependent } from '@stagelives/schema';
import { MESSAGE_PAGING } from './chat-message.service.js';

/** The subgraph declares `messageAdded` and `messageRemoved` so the supergraph has them; the router serves them over WebSocket. */
export function servedByTheRouter(): never {
  throw new Error('messageAdded and messageRemoved are served by the router over WebSocket; the chat subgraph does not serve subscriptions.');
}

@Resolver(() => ChatMessage)
export class ChatMessageResolver {
  @ListSize(MESSAGE_PAGING.maxRange)
  @ViewerDependent(ViewerDependence.VIEWER)
  @Query(() => [ChatMessage], {
    description:
      'Messages with afterSeq < seq ≤ upToSeq (or up to the newest), ascending, at most 200: continue after the last seq returned. For filling gaps. Messages staff hid are left out, except the viewer’s own (marked hidden).',
  })
  async chatMessagesInRange(
    @Arg('roomId', () => ID) roomId: string,
    @Arg('afterSeq', () => Int) afterSeq: number,
    @Arg('upToSeq', () => Int, { nullable: true }) upToSeq: number | null,
    @Ctx() ctx: ChatContext,
  ): Promise<ChatMessage[]> {
    const docs = await ctx.messages.range(roomId, afterSeq, upToSeq, ctx.viewer?.userId ?? null);
    return docs.map((doc) => ChatMessage.from(doc));
  }

  @ViewerDependent(ViewerDependence.VIEWER)
  @Query(() => ChatMessageFeed, {
    description:
      'The router’s read for `messageAdded`: up to 200 stored messages with afterSeq < seq ≤ upToSeq, of which those the viewer may see (includeOwnHidden false: none staff hid), and the highest seq read.',
  })
  async chatMessageFeed(
    @Arg('roomId', () => ID) roomId: string,
    @Arg('afterSeq', () => Int) afterSeq: number,
    @Arg('upToSeq', () => Int, { nullable: true }) upToSeq: number | null,
    @Arg('includeOwnHidden', () => Boolean, { defaultValue: true }) includeOwnHidden: boolean,
    @Ctx() ctx: ChatContext,
  ): Promise<ChatMessageFeed> {
    const feed = await ctx.messages.feed(roomId, afterSeq, upToSeq, ctx.viewer?.userId ?? null, includeOwnHidden);
    return Object.assign(new ChatMessageFeed(), { ...feed, messages: feed.messages.map((doc) => ChatMessage.from(doc)) });
  }

  @ListSize(MESSAGE_PAGING.maxRange)
  @Query(() => [MessageRemovedEvent], {
    description:
      'The router’s read for `messageRemoved`: the messages staff hid with afterSeq < seq ≤ upToSeq (or up to the newest), ascending, at most 200: continue after the last seq returned.',
  })
  async chatMessageRemovals(
    @Arg('roomId', () => ID) roomId: string,
    @Arg('afterSeq', () => Int) afterSeq: number,
    @Arg('upToSeq', () => Int, { nullable: true }) upToSeq: number | null,
    @Ctx() ctx: ChatContext,
  ): Promise<MessageRemovedEvent[]> {
    const docs = await ctx.messages.removals(roomId, afterSeq, upToSeq);
    return docs.map((doc) => MessageRemovedEvent.from(doc));
  }

  @Mutation(() => ChatMessage, { description: 'Members only. Plain text, 1–2,000 characters after cleaning. Rate-limited per user.' })
  @RateLimit(30, 10)
  async sendMessage(@Arg('roomId', () => ID) roomId: string, @Arg('body', () => String) body: string, @Ctx() ctx: ChatContext): Promise<ChatMessage> {
    const doc = await ctx.messages.send(requireViewer(ctx), roomId, body);
    ctx.loaders.newestMessage.clear({ id: roomId, lastSeqHint: 0 });
    ctx.loaders.message.prime(doc._id.toHexString(), doc);
    return ChatMessage.from(doc);
  }

  @Subscription(() => ChatMessage, {
    subscribe: servedByTheRouter,
    description:
      'New messages of a room; `after`: the cursor of the last message the client has. Served by the router over WebSocket, never by the chat subgraph.',
  })
  messageAdded(@Arg('roomId', () => ID) _roomId: string, @Arg('after', () => String, { nullable: true }) _after: string | null): ChatMessage {
    return servedByTheRouter();
  }

  @Subscription(() => MessageRemovedEvent, {
    subscribe: servedByTheRouter,
    description:
      'Messages of a room staff hid, as they are hidden: clients drop them. `after`: a message cursor; the messages after it that are hidden now are sent first. Served by the router over WebSocket, never by the chat subgraph.',
  })
  messageRemoved(@Arg('roomId', () => ID) _roomId: string, @Arg('after', () => String, { nullable: true }) _after: string | null): MessageRemovedEvent {
    return servedByTheRouter();
  }

  @FieldResolver(() => ChatRoom)
  async room(@Root() message: ChatMessage, @Ctx() ctx: ChatContext): Promise<ChatRoom> {
    const doc = await ctx.loaders.room.load(message.roomId);
    // Rooms are never deleted; a message without its room is a broken invariant, not a null.
    if (!doc) throw new Error(`chat room ${message.roomId} of message ${message.id} is missing`);
    return ChatRoom.from(doc);
  }

  @FieldResolver(() => UserReference, { description: 'A deleted account shows as a deleted user.' })
  author(@Root() message: ChatMessage): UserReference {
    return UserReference.of(message.authorId);
  }
}

@Resolver(() => ChatMessageConnection)
export class ChatMessageConnectionResolver {
  @FieldResolver(() => Int, { description: 'Messages in the room: its newest seq (seqs start at 1 and have no gaps).' })
  async totalCount(@Root() connection: ChatMessageConnection, @Ctx() ctx: ChatContext): Promise<number> {
    return (await ctx.loaders.newestMessage.load(connection.room))?.seq ?? 0;
  }
}
