import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { ChatRoom } from '../chat-room/chat-room.type.js';
import type { ChatContext } from '../context.js';
import { ConcertReference } from './concert.reference.js';

@Resolver(() => ConcertReference)
export class ConcertChatRoomResolver {
  @FieldResolver(() => ChatRoom, { nullable: true, description: 'The concert’s chat room; null until someone creates it (createChatRoom with the concertId).' })
  async chatRoom(@Root() concert: ConcertReference, @Ctx() ctx: ChatContext): Promise<ChatRoom | null> {
    const doc = await ctx.loaders.roomByConcert.load(concert.id);
    if (!doc) return null;
    ctx.loaders.room.prime(doc._id.toHexString(), doc);
    return ChatRoom.from(doc);
  }
}
