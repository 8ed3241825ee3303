import type { ArticlesContext } from '../context.js';
import { Article } from './article.type.js';

/** How the router gets an article from its key: batched, null when missing or being deleted. */
export const articleReferenceResolver = {
  Article: {
    __resolveReference: async (ref: { id: string }, ctx: ArticlesContext): Promise<Article | null> => {
      const doc = await ctx.articles.get(ref.id);
      return doc ? Article.from(doc) : null;
    },
  },
};
