import { existsSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, loadConfig } from '@stagelives/platform';

/** A service-account key as Google issues it (the fields firebase-admin's `cert()` needs). */
export interface ServiceAccountKey {
  project_id: string;
  client_email: string;
  private_key: string;
  type?: string;
  private_key_id?: string;
  client_id?: string;
  token_uri?: string;
}

/** Where the local FCM server (`startLocalFcmServer` in @stagelives/devkit) is and how to sign in to it. */
export interface LocalFcmServerInfo {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** PEM of its self-signed certificate. */
  ca: string;
  projectId: string;
  serviceAccount: ServiceAccountKey;
}

const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const serviceAccountJson = (name: string) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .transform((text, ctx): ServiceAccountKey => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name} must be the service account's JSON key (it does not parse as JSON)` });
          return z.NEVER;
        }
        const key = parsed as Partial<ServiceAccountKey> | null;
        const missing = (['project_id', 'client_email', 'private_key'] as const).filter((f) => typeof key?.[f] !== 'string' || !key[f]);
        if (missing.length) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name} lacks ${missing.join(', ')}` });
          return z.NEVER;
        }
        return key as ServiceAccountKey;
      })
      .optional(),
  );

/** Settings of the push transport (read once, at start-up). */
const pushEnv = {
  /** The Firebase service account's JSON key, inline. Set: pushes go to Firebase. */
  FIREBASE_SERVICE_ACCOUNT: serviceAccountJson('FIREBASE_SERVICE_ACCOUNT'),
  /** Path to Google credentials (a service-account key file or other application default credentials). Set: pushes go to Firebase. */
  GOOGLE_APPLICATION_CREDENTIALS: z.preprocess(unsetIfEmpty, z.string().optional()),
  /** Firebase project to send as; default: the credential's project (firebase mode only). */
  FIREBASE_PROJECT_ID: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^[a-z0-9-]{4,63}$/, 'must be a Firebase project id')
      .optional(),
  ),
  /** Local mode (no Firebase credentials): the local FCM server's URL, certificate and account (`npm run dev` sets them). */
  FCM_LOCAL_URL: z.preprocess(unsetIfEmpty, z.string().url().startsWith('https://', 'must be an https:// URL').optional()),
  FCM_LOCAL_CA: z.preprocess(unsetIfEmpty, z.string().includes('BEGIN CERTIFICATE', { message: 'must be a PEM certificate' }).optional()),
  FCM_LOCAL_SERVICE_ACCOUNT: serviceAccountJson('FCM_LOCAL_SERVICE_ACCOUNT'),
  /** Concurrent HTTPS connections to FCM (each carries one request at a time). */
  FCM_MAX_SOCKETS: z.coerce.number().int().min(1).max(1000).default(64),
};

/** What `createPushSender` takes, decided from the environment. */
export type PushConfig =
  | { mode: 'firebase'; serviceAccount?: ServiceAccountKey; credentialsFile?: string; projectId?: string; maxSockets: number }
  | { mode: 'local'; fcm: LocalFcmServerInfo; maxSockets: number };

/**
 * `FIREBASE_SERVICE_ACCOUNT` (JSON) or `GOOGLE_APPLICATION_CREDENTIALS` (path) → firebase mode;
 * neither → local mode, which needs `FCM_LOCAL_URL`, `FCM_LOCAL_CA` and `FCM_LOCAL_SERVICE_ACCOUNT`
 * (set by `npm run dev`). Nothing set → ConfigError naming the choices.
 */
export function loadPushConfig(env: NodeJS.ProcessEnv = process.env): PushConfig {
  const c = loadConfig(pushEnv, env);
  if (c.FIREBASE_SERVICE_ACCOUNT || c.GOOGLE_APPLICATION_CREDENTIALS) {
    if (!c.FIREBASE_SERVICE_ACCOUNT && c.GOOGLE_APPLICATION_CREDENTIALS && !existsSync(c.GOOGLE_APPLICATION_CREDENTIALS)) {
      throw new ConfigError(`Invalid configuration:\n  - GOOGLE_APPLICATION_CREDENTIALS: no file at ${c.GOOGLE_APPLICATION_CREDENTIALS}`);
    }
    return {
      mode: 'firebase',
      ...(c.FIREBASE_SERVICE_ACCOUNT ? { serviceAccount: c.FIREBASE_SERVICE_ACCOUNT } : { credentialsFile: c.GOOGLE_APPLICATION_CREDENTIALS }),
      ...(c.FIREBASE_PROJECT_ID ? { projectId: c.FIREBASE_PROJECT_ID } : {}),
      maxSockets: c.FCM_MAX_SOCKETS,
    };
  }
  const missing = (['FCM_LOCAL_URL', 'FCM_LOCAL_CA', 'FCM_LOCAL_SERVICE_ACCOUNT'] as const).filter((name) => !c[name]);
  if (missing.length) {
    throw new ConfigError(
      'Invalid configuration:\n  - push notifications need FIREBASE_SERVICE_ACCOUNT or GOOGLE_APPLICATION_CREDENTIALS (Firebase), ' +
        `or the local FCM server's FCM_LOCAL_URL, FCM_LOCAL_CA and FCM_LOCAL_SERVICE_ACCOUNT (set by \`npm run dev\`); missing ${missing.join(', ')}`,
    );
  }
  const serviceAccount = c.FCM_LOCAL_SERVICE_ACCOUNT!;
  return {
    mode: 'local',
    fcm: { url: c.FCM_LOCAL_URL!, ca: c.FCM_LOCAL_CA!, projectId: serviceAccount.project_id, serviceAccount },
    maxSockets: c.FCM_MAX_SOCKETS,
  };
}

/** The environment a process needs to reach a local FCM server (what `npm run dev` passes to the workers). */
export function localFcmEnv(fcm: LocalFcmServerInfo): Record<string, string> {
  return { FCM_LOCAL_URL: fcm.url, FCM_LOCAL_CA: fcm.ca, FCM_LOCAL_SERVICE_ACCOUNT: JSON.stringify(fcm.serviceAccount) };
}
