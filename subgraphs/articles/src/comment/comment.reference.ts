import type { ArticlesContext } from '../context.js';
import { Comment } from './comment.type.js';

/**
 * How another subgraph gets a comment from its key (the moderation subgraph checks a reported
 * comment this way): null when missing, hidden by staff, or on an article that is gone or hidden.
 */
export const commentReferenceResolver = {
  Comment: {
    __resolveReference: async (ref: { id: string }, ctx: ArticlesContext): Promise<Comment | null> => {
      const doc = await ctx.comments.referenced(ref.id);
      return doc ? Comment.from(doc) : null;
    },
  },
};
