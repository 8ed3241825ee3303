import { AuditTrail, SessionStore, pointReadsFor } from '@stagelives/platform';
import { createSubgraphServer, isAdmin, isAuthenticated, isPublic, isStaff, type SubgraphDeps, type SubgraphServer } from '@stagelives/platform/subgraph';
import { AccountEmailService } from './account-email/account-email.service.js';
import { EmailRateLimit } from './account-email/email-limit.js';
import { AuthService } from './auth/auth.service.js';
import { BruteForceGuard } from './auth/brute-force.js';
import { OidcVerifier } from './auth/oidc.js';
import { loadUsersConfig } from './config.js';
import { Mailer } from './mail/mailer.js';
import type { UsersContext } from './context.js';
import { buildSchema } from './schema.js';
import { AdminLock } from './staff/admin-lock.js';
import { StaffService } from './staff/staff.service.js';
import { UserEvents } from './user/user-events.js';
import { createUserLoader } from './user/user.loader.js';
import { UserRepository } from './user/user.repository.js';
import { UserService } from './user/user.service.js';

/** Builds the users subgraph server (never listens). */
export async function createUsersServer(deps: SubgraphDeps): Promise<SubgraphServer> {
  const { config, env, mongo, redis, features } = deps;
  const usersConfig = loadUsersConfig(env);
  const db = mongo.db('users');
  const usersRepo = new UserRepository(db, pointReadsFor(features));
  await usersRepo.ensureIndexes();
  const sessions = SessionStore.fromConfig(redis, config);
  const bruteForce = new BruteForceGuard(redis, config.REDIS_PREFIX, usersConfig.LOGIN_MAX_FAILURES, usersConfig.LOGIN_LOCK_SECONDS);
  // Password reset and email verification, by mail (SMTP_URL, MAIL_FROM; links into PUBLIC_URL).
  const mailer = new Mailer({ smtpUrl: usersConfig.SMTP_URL, from: usersConfig.MAIL_FROM, logger: deps.logger.child({ component: 'mail' }) });
  const accountEmail = new AccountEmailService({
    users: usersRepo,
    sessions,
    bruteForce,
    mailer,
    publicUrl: usersConfig.PUBLIC_URL,
    resetLimit: new EmailRateLimit(
      redis,
      config.REDIS_PREFIX,
      'password-reset',
      usersConfig.PASSWORD_RESET_PER_EMAIL,
      usersConfig.PASSWORD_RESET_WINDOW_SECONDS,
    ),
    resetMinMs: usersConfig.PASSWORD_RESET_MIN_MS,
  });
  const auth = new AuthService({
    users: usersRepo,
    sessions,
    bruteForce,
    verification: accountEmail,
    adminEmails: config.ADMIN_EMAILS,
    google: new OidcVerifier({
      name: 'Google',
      jwksUrl: usersConfig.GOOGLE_JWKS_URL,
      issuers: usersConfig.GOOGLE_ISSUERS,
      audiences: usersConfig.GOOGLE_CLIENT_IDS,
    }),
    apple: new OidcVerifier({
      name: 'Apple',
      jwksUrl: usersConfig.APPLE_JWKS_URL,
      issuers: [usersConfig.APPLE_ISSUER],
      audiences: usersConfig.APPLE_CLIENT_IDS,
    }),
  });
  const userEvents = new UserEvents(redis, config.REDIS_PREFIX, deps.logger);
  const users = new UserService(usersRepo, auth, userEvents);
  // Roles and suspensions: each staff action and its audit entry, never one without the other.
  const staff = new StaffService(
    usersRepo,
    auth,
    new AdminLock(redis, config.REDIS_PREFIX),
    (appliers) => new AuditTrail({ db, redis, redisPrefix: config.REDIS_PREFIX, logger: deps.logger, appliers }),
  );
  await staff.trail.ensureIndexes();
  staff.trail.start();

  const server = await createSubgraphServer<UsersContext>({
    name: 'users',
    schema: await buildSchema(),
    deps,
    permissions: {
      Mutation: {
        signUp: isPublic,
        logIn: isPublic,
        logOut: isPublic,
        signInWithGoogle: isPublic,
        signInWithApple: isPublic,
        requestPasswordReset: isPublic,
        resetPassword: isPublic,
        verifyEmail: isPublic,
        resendVerificationEmail: isAuthenticated,
        updateProfile: isAuthenticated,
        changePassword: isAuthenticated,
        deleteAccount: isAuthenticated,
        grantRole: isAdmin,
        revokeRole: isAdmin,
        suspendUser: isStaff,
        unsuspendUser: isStaff,
      },
    },
    createContext: (base) => ({
      ...base,
      auth,
      accountEmail,
      users,
      staff,
      loaders: { user: createUserLoader(usersRepo) },
    }),
  });
  return {
    httpServer: server.httpServer,
    listen: (port, host) => server.listen(port, host),
    close: async () => {
      await server.close();
      await staff.trail.stop();
      await mailer.close();
    },
  };
}
