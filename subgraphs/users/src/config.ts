import { z } from 'zod';
import { loadConfig } from '@stagelives/platform';

const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  );

/** Settings only the users subgraph reads. */
const usersEnv = {
  /** Failed log-ins for one email before it is locked. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  /** How long an email stays locked after the last allowed failure, in seconds. */
  LOGIN_LOCK_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 60),
  /** OAuth client ids whose Google ID tokens we accept (the `aud` claim). Empty: Google sign-in off. */
  GOOGLE_CLIENT_IDS: list,
  GOOGLE_JWKS_URL: z.string().url().default('https://www.googleapis.com/oauth2/v3/certs'),
  GOOGLE_ISSUERS: list.transform((l) => (l.length ? l : ['https://accounts.google.com', 'accounts.google.com'])),
  /** Services/bundle ids whose Apple identity tokens we accept. Empty: Apple sign-in off. */
  APPLE_CLIENT_IDS: list,
  APPLE_JWKS_URL: z.string().url().default('https://appleid.apple.com/auth/keys'),
  APPLE_ISSUER: z.string().default('https://appleid.apple.com'),
};

export const loadUsersConfig = (env: NodeJS.ProcessEnv) => loadConfig(usersEnv, env);
