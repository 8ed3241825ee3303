import type { ConcertsContext } from '../context.js';
import { Concert } from './concert.type.js';

/** How the router's references to a Concert (from setlists, articles, …) are resolved here, batched. */
export const concertReferenceResolver = {
  Concert: {
    __resolveReference: async (ref: { id: string }, ctx: ConcertsContext): Promise<Concert | null> => {
      const doc = await ctx.loaders.concert.load(ref.id);
      return doc ? Concert.from(doc) : null;
    },
  },
};
