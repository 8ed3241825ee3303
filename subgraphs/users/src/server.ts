import { SessionStore } from '@stagelives/platform';
import { createSubgraphServer, isAuthenticated, isPublic, type SubgraphDeps, type SubgraphServer } from '@stagelives/schema';
import { AuthService } from './auth/auth.service.js';
import type { UsersContext } from './context.js';
import { buildSchema } from './schema.js';
import { createUserLoader } from './user/user.loader.js';
import { UserRepository } from './user/user.repository.js';

/** Builds the users subgraph server (never listens). */
export async function createUsersServer({ config, logger, mongo, redis }: SubgraphDeps): Promise<SubgraphServer> {
  const db = mongo.db('users');
  const users = new UserRepository(db);
  await users.ensureIndexes();
  const sessions = new SessionStore({
    redis,
    prefix: config.REDIS_PREFIX,
    idleTtlSeconds: config.SESSION_IDLE_TTL_SECONDS,
    absoluteTtlSeconds: config.SESSION_ABSOLUTE_TTL_SECONDS,
  });
  const auth = new AuthService({ users, sessions, adminEmails: config.ADMIN_EMAILS });

  return createSubgraphServer<UsersContext>({
    name: 'users',
    schema: await buildSchema(),
    logger,
    identitySecret: config.IDENTITY_SECRET,
    debug: config.NODE_ENV === 'development',
    healthChecks: { mongodb: () => mongo.ping(), redis: () => redis.ping() },
    permissions: { Mutation: { signUp: isPublic, logIn: isPublic, logOut: isPublic } },
    createContext: (base) => ({ ...base, auth, loaders: { user: createUserLoader(users) } }),
  });
}
