import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applicationDefault, cert, deleteApp, initializeApp, type App, type Credential } from 'firebase-admin/app';
import { getMessaging, type Messaging, type MulticastMessage, type SendResponse } from 'firebase-admin/messaging';
import { PushAgent, type ResponseScope } from './push.agent.js';
import type { LocalFcmServerInfo, ServiceAccountKey } from './push.config.js';
import type { PushFailed, PushMessage, PushResult } from '@stagelives/notifications/store';
import { classifyPushError } from './push.errors.js';

/** FCM's limit for one `sendEachForMulticast` call. */
const FCM_MAX_TOKENS_PER_CALL = 500;

interface CommonOptions {
  /** Concurrent HTTPS connections (default 64). */
  maxSockets?: number;
  /** Tokens per `sendEachForMulticast` call, ≤ 500 (default 500). */
  tokensPerCall?: number;
  /** Replaces the credential (tests: a credential whose token the server does not know). */
  credential?: Credential;
}

export type PushSenderOptions =
  | (CommonOptions & { mode: 'local'; fcm: LocalFcmServerInfo })
  | (CommonOptions & { mode: 'firebase'; serviceAccount?: ServiceAccountKey; credentialsFile?: string; projectId?: string });

export interface PushSender {
  readonly mode: 'local' | 'firebase';
  /** The Firebase project pushes are sent as (undefined: discovered by application default credentials). */
  readonly projectId: string | undefined;
  /** The firebase-admin Messaging instance (HTTP/1.1 transport) this sender uses. */
  readonly messaging: Messaging;
  /** Sends one push per token; one result per distinct token, in the order given. Never rejects for a token's failure. */
  send(message: PushMessage): Promise<PushResult[]>;
  /** Deletes the firebase-admin app and closes the connections. */
  close(): Promise<void>;
}

/** APNs `apns-collapse-id`: at most 64 bytes. */
function apnsCollapseId(reminderId: string): string {
  return Buffer.byteLength(reminderId) <= 64 ? reminderId : createHash('sha256').update(reminderId).digest('hex');
}

/** Web push `Topic`: at most 32 characters of the URL-safe base64 alphabet. */
function webpushTopic(reminderId: string): string {
  return /^[A-Za-z0-9_-]{1,32}$/.test(reminderId) ? reminderId : createHash('sha256').update(reminderId).digest('base64url').slice(0, 32);
}

/** The FCM message of a reminder push (the same for every token of it). */
function buildMulticastMessage(push: PushMessage, tokens: string[]): MulticastMessage {
  const { reminderId, title, body, ttlSeconds } = push;
  const ttl = ttlSeconds !== undefined ? Math.max(0, Math.floor(ttlSeconds)) : undefined;
  return {
    tokens,
    notification: { title, body },
    data: { ...push.data, reminderId },
    android: {
      collapseKey: reminderId,
      priority: 'high',
      // Same tag: the device shows one notification per reminder even if it arrives twice.
      notification: { tag: reminderId },
      ...(ttl !== undefined ? { ttl: ttl * 1000 } : {}),
    },
    apns: {
      headers: {
        'apns-collapse-id': apnsCollapseId(reminderId),
        ...(ttl !== undefined ? { 'apns-expiration': String(Math.floor(Date.now() / 1000) + ttl) } : {}),
      },
    },
    webpush: { headers: { Topic: webpushTopic(reminderId), ...(ttl !== undefined ? { TTL: String(ttl) } : {}) } },
  };
}

interface CredentialChoice {
  credential: Credential;
  projectId: string | undefined;
  /** Removes what the choice left on disk. */
  cleanup?: () => void;
}

function credentialFor(options: PushSenderOptions, agent: PushAgent): CredentialChoice {
  if (options.mode === 'local') {
    if (options.credential) return { credential: options.credential, projectId: options.fcm.projectId };
    // firebase-admin's own service-account credential, given a key *file*: only that route hands
    // `agent` to google-auth-library's JWT client (`cert(object, agent)` drops the agent: firebase-admin
    // calls `GoogleAuth#fromJSON(key)` without the client options). So the real JWT-bearer exchange
    // goes to the local server. The key is the local server's throwaway development key.
    const dir = mkdtempSync(join(tmpdir(), 'stagelives-fcm-'));
    const keyFile = join(dir, 'service-account.json');
    writeFileSync(keyFile, JSON.stringify(options.fcm.serviceAccount), { mode: 0o600 });
    return { credential: cert(keyFile, agent), projectId: options.fcm.projectId, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (options.credential) return { credential: options.credential, projectId: options.projectId };
  if (options.serviceAccount) {
    return { credential: cert({ ...options.serviceAccount } as object, agent), projectId: options.projectId ?? options.serviceAccount.project_id };
  }
  if (options.credentialsFile) {
    const key = JSON.parse(readFileSync(options.credentialsFile, 'utf8')) as Partial<ServiceAccountKey> & { type?: string };
    if (key.type === 'service_account') return { credential: cert(options.credentialsFile, agent), projectId: options.projectId ?? key.project_id };
  }
  // Other application default credentials (GOOGLE_APPLICATION_CREDENTIALS of another type, metadata server).
  return { credential: applicationDefault(agent), projectId: options.projectId };
}

/**
 * Creates the push transport: a firebase-admin app of its own, sending with
 * `getMessaging(app).sendEachForMulticast` over HTTP/1.1 through a keep-alive agent.
 */
export function createPushSender(options: PushSenderOptions): PushSender {
  const tokensPerCall = Math.min(FCM_MAX_TOKENS_PER_CALL, Math.max(1, options.tokensPerCall ?? FCM_MAX_TOKENS_PER_CALL));
  const agent = new PushAgent({ maxSockets: options.maxSockets ?? 64, ...(options.mode === 'local' ? { local: options.fcm } : {}) });
  const { credential, projectId, cleanup } = credentialFor(options, agent);
  // The local key file is read when the first access token is fetched; google-auth-library keeps the
  // client (and the key) in memory from then on, so the file goes after the first answered call
  // instead of waiting for close(), which a killed worker process never reaches.
  let keyFileRemoved = !cleanup;
  const removeKeyFile = () => {
    if (keyFileRemoved) return;
    keyFileRemoved = true;
    cleanup?.();
  };
  const app: App = initializeApp({ credential, httpAgent: agent, ...(projectId ? { projectId } : {}) }, `stagelives-push-${randomUUID()}`);
  const messaging = getMessaging(app);
  // The HTTP/2 transport (firebase-admin's default for sendEach*) ignores `httpAgent`; HTTP/1.1 uses it.
  messaging.enableLegacyHttpTransport();

  const failure = (token: string, error: SendResponse['error'], scope: ResponseScope): PushFailed => {
    const code = error?.code ?? 'unknown';
    const message = error?.message ?? 'no error given';
    const kind = classifyPushError(code, message);
    return {
      token,
      ok: false,
      kind,
      ...(kind === 'transient' && scope.retryAfterSeconds !== undefined ? { retryAfterSeconds: scope.retryAfterSeconds } : {}),
      error: { code, message },
    };
  };

  return {
    mode: options.mode,
    projectId,
    messaging,
    async send(push) {
      const distinct = [...new Set(push.tokens)];
      const byToken = new Map<string, PushResult>();
      const tokens: string[] = [];
      for (const token of distinct) {
        if (typeof token === 'string' && token.trim() !== '') tokens.push(token);
        else
          byToken.set(token, {
            token,
            ok: false,
            kind: 'invalid',
            error: { code: 'messaging/invalid-registration-token', message: 'empty registration token' },
          });
      }
      for (let i = 0; i < tokens.length; i += tokensPerCall) {
        const chunk = tokens.slice(i, i + tokensPerCall);
        const { result, scope } = await agent.observe(() => messaging.sendEachForMulticast(buildMulticastMessage(push, chunk)));
        removeKeyFile();
        result.responses.forEach((response, j) => {
          const token = chunk[j]!;
          byToken.set(token, response.success ? { token, ok: true, messageId: response.messageId! } : failure(token, response.error, scope));
        });
      }
      return distinct.map((token) => byToken.get(token)!);
    },
    async close() {
      await deleteApp(app);
      agent.destroy();
      removeKeyFile();
    },
  };
}
