import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireViewer } from '@stagelives/platform/subgraph';
import { Paged, parseId, tryParseId, ViewerDependence, ViewerDependent } from '@stagelives/schema';
import { ChatMessage, ChatMessageConnection } from '../chat-message/chat-message.type.js';
import { ConcertReference } from '../concert/concert.reference.js';
import type { ChatContext } from '../context.js';
import { CreateChatRoomInput } from './chat-room.input.js';
import { ChatRoom, ChatRoomConnection, type ChatRoomDocument } from './chat-room.type.js';
import { MESSAGE_PAGING } from '../chat-message/chat-message.service.js';

/** A room a membership mutation returns, with this request's member count and flag for it forgotten. */
function afterMembershipChange(ctx: ChatContext, doc: ChatRoomDocument, member: boolean): ChatRoom {
  const room = ChatRoom.from(doc);
  ctx.loaders.memberCount.clear(room.id);
  ctx.loaders.viewerIsMember.clear(room.id).prime(room.id, member);
  return room;
}

@Resolver(() => ChatRoom)
export class ChatRoomResolver {
  @Paged()
  @Query(() => ChatRoomConnection, { description: 'Chat rooms by latest activity, newest first; `concertId` narrows it to that concert’s room.' })
  async chatRooms(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('concertId', () => ID, { nullable: true }) concertId: string | null,
    @Ctx() ctx: ChatContext,
  ): Promise<ChatRoomConnection> {
    const page = await ctx.rooms.list(concertId, first, after);
    return {
      ...page,
      edges: page.edges.map(({ cursor, node }) => {
        ctx.loaders.room.prime(node._id.toHexString(), node);
        return { cursor, node: ChatRoom.from(node) };
      }),
    };
  }

  @Query(() => ChatRoom, { nullable: true })
  async chatRoom(@Arg('id', () => ID) id: string, @Ctx() ctx: ChatContext): Promise<ChatRoom | null> {
    if (!tryParseId(id)) return null;
    const doc = await ctx.loaders.room.load(id);
    return doc ? ChatRoom.from(doc) : null;
  }

  @Mutation(() => ChatRoom, { description: 'Signed in. The creator joins. A concert has at most one room: creating another returns it and joins it.' })
  async createChatRoom(@Arg('input', () => CreateChatRoomInput) input: CreateChatRoomInput, @Ctx() ctx: ChatContext): Promise<ChatRoom> {
    return afterMembershipChange(ctx, await ctx.rooms.create(requireViewer(ctx), input), true);
  }

  @Mutation(() => ChatRoom, { description: 'Signed in. Idempotent.' })
  async joinChatRoom(@Arg('roomId', () => ID) roomId: string, @Ctx() ctx: ChatContext): Promise<ChatRoom> {
    return afterMembershipChange(ctx, await ctx.memberships.join(requireViewer(ctx).userId, roomId), true);
  }

  @Mutation(() => ChatRoom, { description: 'Signed in. Idempotent; the viewer’s live subscriptions to the room end.' })
  async leaveChatRoom(@Arg('roomId', () => ID) roomId: string, @Ctx() ctx: ChatContext): Promise<ChatRoom> {
    return afterMembershipChange(ctx, await ctx.memberships.leave(requireViewer(ctx).userId, roomId), false);
  }

  @Mutation(() => ChatRoom, {
    description:
      'The room’s owner and staff. The member’s sends are refused (FORBIDDEN, with `mutedUntil`) for `minutes` (1–10,080); leaving and joining again does not end it. Audited.',
  })
  async muteChatMember(
    @Arg('roomId', () => ID) roomId: string,
    @Arg('userId', () => ID) userId: string,
    @Arg('minutes', () => Int) minutes: number,
    @Ctx() ctx: ChatContext,
  ): Promise<ChatRoom> {
    return ChatRoom.from(await ctx.roomModeration.mute(requireViewer(ctx), roomId, userId, minutes));
  }

  @Mutation(() => ChatRoom, {
    description: 'The room’s owner and staff. The member’s membership and live subscriptions to the room end; they may join again. Audited.',
  })
  async removeChatMember(@Arg('roomId', () => ID) roomId: string, @Arg('userId', () => ID) userId: string, @Ctx() ctx: ChatContext): Promise<ChatRoom> {
    const room = ChatRoom.from(await ctx.roomModeration.remove(requireViewer(ctx), roomId, userId));
    ctx.loaders.memberCount.clear(room.id);
    if (ctx.viewer?.userId.toLowerCase() === userId.toLowerCase()) ctx.loaders.viewerIsMember.clear(room.id);
    return room;
  }

  @FieldResolver(() => ConcertReference, { nullable: true, description: 'Null for a room without a concert.' })
  concert(@Root() room: ChatRoom): ConcertReference | null {
    return room.concertId ? ConcertReference.of(room.concertId) : null;
  }

  @FieldResolver(() => Int, { description: 'Counted from the membership documents: exact.' })
  memberCount(@Root() room: ChatRoom, @Ctx() ctx: ChatContext): Promise<number> {
    return ctx.loaders.memberCount.load(room.id);
  }

  @FieldResolver(() => Boolean, { description: 'False for anonymous viewers.' })
  @ViewerDependent(ViewerDependence.VIEWER)
  viewerIsMember(@Root() room: ChatRoom, @Ctx() ctx: ChatContext): Promise<boolean> {
    return ctx.loaders.viewerIsMember.load(room.id);
  }

  @FieldResolver(() => ChatMessage, {
    nullable: true,
    description: 'The newest message the viewer may see (staff-hidden ones are skipped, but the viewer’s own).',
  })
  @ViewerDependent(ViewerDependence.VIEWER)
  async lastMessage(@Root() room: ChatRoom, @Ctx() ctx: ChatContext): Promise<ChatMessage | null> {
    const doc = await ctx.messages.newestVisible(await ctx.loaders.newestMessage.load(room), ctx.viewer?.userId ?? null);
    return doc ? ChatMessage.from(doc) : null;
  }

  @FieldResolver(() => Int, { description: 'The seq of the newest message (hidden ones count: it is a position); 0 when there is none.' })
  async lastSeq(@Root() room: ChatRoom, @Ctx() ctx: ChatContext): Promise<number> {
    return (await ctx.loaders.newestMessage.load(room))?.seq ?? 0;
  }

  @Paged({ slicingArguments: ['first', 'last'], defaultSize: MESSAGE_PAGING.defaultPage })
  @ViewerDependent(ViewerDependence.VIEWER)
  @FieldResolver(() => ChatMessageConnection, {
    description:
      'Oldest first within a page. Backward with last/before (the default: the newest 50; hasPreviousPage tells whether older ones exist) or forward with first/after; at most 100. Messages staff hid are left out, except the viewer’s own (marked hidden).',
  })
  async messages(
    @Root() room: ChatRoom,
    @Arg('last', () => Int, { nullable: true }) last: number | null,
    @Arg('before', () => String, { nullable: true }) before: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ChatContext,
  ): Promise<ChatMessageConnection> {
    const page = await ctx.messages.page(parseId(room.id), { first, after, last, before }, ctx.viewer?.userId ?? null);
    return {
      pageInfo: page.pageInfo,
      edges: page.edges.map(({ cursor, node }) => ({ cursor, node: ChatMessage.from(node) })),
      room: { id: room.id, lastSeqHint: room.lastSeqHint },
    };
  }
}
