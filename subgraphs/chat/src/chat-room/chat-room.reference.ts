import type { ChatContext } from '../context.js';
import { ChatRoom } from './chat-room.type.js';

/** How the router's references to a ChatRoom (`_entities`) are resolved here: batched by id. */
export const chatRoomReferenceResolver = {
  ChatRoom: {
    __resolveReference: async (ref: { id: string }, ctx: ChatContext): Promise<ChatRoom | null> => {
      const doc = await ctx.loaders.room.load(ref.id);
      return doc ? ChatRoom.from(doc) : null;
    },
  },
};
