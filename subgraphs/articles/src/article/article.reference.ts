import type { ArticlesContext } from '../context.js';
import { isHidden } from '../content/visibility.js';
import { Article } from './article.type.js';

/**
 * How the router gets an article from its key: batched, null when missing, being deleted or
 * hidden by staff — for every viewer, author included, so a field of another subgraph returning
 * an article answers everyone alike (the author sees a hidden article through this subgraph's own fields).
 */
export const articleReferenceResolver = {
  Article: {
    __resolveReference: async (ref: { id: string }, ctx: ArticlesContext): Promise<Article | null> => {
      const doc = await ctx.articles.get(ref.id);
      return doc && !isHidden(doc) ? Article.from(doc) : null;
    },
  },
};
