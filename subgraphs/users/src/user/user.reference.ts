import type { UsersContext } from '../context.js';
import { User } from './user.type.js';

/** Resolves `User` references from other subgraphs, batched per request. */
export const userReferenceResolver = {
  User: {
    __resolveReference: async (ref: { id: string }, ctx: UsersContext): Promise<User | null> => {
      const doc = await ctx.loaders.user.load(ref.id);
      return doc ? User.from(doc) : null;
    },
  },
};
