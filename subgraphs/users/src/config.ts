import { z } from 'zod';
import { ConfigError, loadConfig } from '@stagelives/platform';

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
  /**
   * Where mail goes out: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`.
   * Required in production; `npm run dev` and the tests point it at the local Mailpit.
   */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The sender of every mail, e.g. `stagelives <no-reply@stagelives.app>`. Required in production. */
  MAIL_FROM: z.string().min(3).max(200).optional(),
  /** The clients' base URL: the links in mail are `<PUBLIC_URL>/reset-password?token=…` and `/verify-email?token=…`. Required in production. */
  PUBLIC_URL: z.string().url().optional(),
  /** Password-reset requests one email may make per window (beside the router's per-IP bucket). */
  PASSWORD_RESET_PER_EMAIL: z.coerce.number().int().positive().default(3),
  PASSWORD_RESET_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60),
  /**
   * The least time `requestPasswordReset` takes, in milliseconds: an answer for an existing
   * account is not told apart from one for a missing account by its time (docs/users.md).
   */
  PASSWORD_RESET_MIN_MS: z.coerce.number().int().min(0).default(250),
};

/** Outside production: mail from a development sender, links to the local router. */
const DEVELOPMENT_MAIL = { MAIL_FROM: 'stagelives <no-reply@stagelives.dev>', PUBLIC_URL: 'http://localhost:4000' };

/** The users subgraph's settings; in production a missing SMTP_URL, MAIL_FROM or PUBLIC_URL stops it, by name. */
export function loadUsersConfig(env: NodeJS.ProcessEnv) {
  const config = loadConfig(usersEnv, env);
  if (env.NODE_ENV === 'production') {
    const missing = (['SMTP_URL', 'MAIL_FROM', 'PUBLIC_URL'] as const).filter((name) => !config[name]);
    if (missing.length)
      throw new ConfigError(`Invalid configuration:\n  - ${missing.map((name) => `${name} is required in production but not set`).join('\n  - ')}`);
  }
  return {
    ...config,
    MAIL_FROM: config.MAIL_FROM ?? DEVELOPMENT_MAIL.MAIL_FROM,
    PUBLIC_URL: (config.PUBLIC_URL ?? DEVELOPMENT_MAIL.PUBLIC_URL).replace(/\/+$/, ''),
  };
}
