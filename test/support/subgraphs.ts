import type { SubgraphDeps, SubgraphServer } from '@stagelives/platform/subgraph';
import { createUsersServer } from '@stagelives/users';
import { createConcertsServer } from '@stagelives/concerts';
import { createSetlistsServer } from '@stagelives/setlists';
import { createArticlesServer } from '@stagelives/articles';
import { createChatServer } from '@stagelives/chat';
import { createNotificationsServer } from '@stagelives/notifications';

/** Every subgraph's server factory, by supergraph name. */
export const subgraphFactories: Record<string, (deps: SubgraphDeps) => Promise<SubgraphServer>> = {
  users: createUsersServer,
  concerts: createConcertsServer,
  setlists: createSetlistsServer,
  articles: createArticlesServer,
  chat: createChatServer,
  notifications: createNotificationsServer,
};
