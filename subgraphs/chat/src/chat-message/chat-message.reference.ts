import type { ChatContext } from '../context.js';
import { ChatMessage, visibleTo } from './chat-message.type.js';

/** How the router's references to a ChatMessage (`_entities`, e.g. per live event) are resolved here: batched by id; null for a message staff hid, unless the viewer wrote it. */
export const chatMessageReferenceResolver = {
  ChatMessage: {
    __resolveReference: async (ref: { id: string }, ctx: ChatContext): Promise<ChatMessage | null> => {
      const doc = await ctx.loaders.message.load(ref.id);
      // A message staff hid is gone for everyone but its author.
      return doc && visibleTo(doc, ctx.viewer?.userId ?? null) ? ChatMessage.from(doc) : null;
    },
  },
};
