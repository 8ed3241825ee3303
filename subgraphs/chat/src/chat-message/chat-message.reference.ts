import type { ChatContext } from '../context.js';
import { ChatMessage } from './chat-message.type.js';

/** How the router's references to a ChatMessage (`_entities`, e.g. per live event) are resolved here: batched by id. */
export const chatMessageReferenceResolver = {
  ChatMessage: {
    __resolveReference: async (ref: { id: string }, ctx: ChatContext): Promise<ChatMessage | null> => {
      const doc = await ctx.loaders.message.load(ref.id);
      return doc ? ChatMessage.from(doc) : null;
    },
  },
};
