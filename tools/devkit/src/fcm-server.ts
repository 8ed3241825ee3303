/**
 * A local stand-in for Firebase Cloud Messaging, for `npm run dev`, the tests and the benchmarks.
 *
 * It speaks the parts of the FCM HTTP v1 API that the real `firebase-admin` client uses, over
 * HTTPS with a self-signed certificate generated at start (valid for `fcm.googleapis.com`,
 * `oauth2.googleapis.com`, `localhost` and `127.0.0.1`):
 *
 * - `POST /token`: Google's OAuth2 JWT-bearer exchange. The assertion must be an RS256 JWT signed
 *   with the private key of the service account this server generated (`serviceAccount`), whose
 *   `iss` is its `client_email`, `aud` is `https://oauth2.googleapis.com/token` and whose scope
 *   covers FCM. Answers `{access_token, expires_in, token_type}`, or `400 invalid_grant` as Google does.
 * - `POST /v1/projects/{project}/messages:send`: checks the bearer token (401 UNAUTHENTICATED),
 *   the project (403 PERMISSION_DENIED), then answers `{name: "projects/<p>/messages/<id>"}` or
 *   the error bodies Google sends (UNREGISTERED, INVALID_ARGUMENT, QUOTA_EXCEEDED with
 *   Retry-After, UNAVAILABLE, INTERNAL).
 *
 * Behaviour for tests: a token starting with `unregistered-` is answered 404 UNREGISTERED, one
 * starting with `invalid-` 400 INVALID_ARGUMENT; `failNext(n, { status, retryAfterSeconds })`
 * makes the next n send requests fail with 429, 500 or 503. Every accepted push is recorded
 * (`pushes`, `countsBy(reminderId, token)`), with the reminder id read from `data.reminderId`
 * and the collapse keys (`android.collapse_key`, `apns-collapse-id`, web push `Topic`).
 *
 * How a client reaches it without touching DNS: see `workers/src/push` (an `https.Agent` whose
 * `lookup`/`port` send those two Google hosts here and whose `ca` trusts `ca`).
 */
import { createPublicKey, generateKeyPair, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { generate as generateCertificate } from 'selfsigned';

/** The Google hosts the certificate is valid for (the ones firebase-admin calls). */
export const FCM_HOSTS = ['fcm.googleapis.com', 'oauth2.googleapis.com'] as const;
const TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const FCM_SCOPES = ['https://www.googleapis.com/auth/firebase.messaging', 'https://www.googleapis.com/auth/cloud-platform'];
const ACCESS_TOKEN_TTL_SECONDS = 3599;

/** A Google service-account key file, as firebase-admin's `cert()` reads it. */
export interface LocalFcmServiceAccount {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
}

/** What a client needs to reach the server: its URL, the certificate to trust, the account to sign in with. */
export interface LocalFcmServerInfo {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** PEM of the self-signed server certificate (trust it as the only CA). */
  ca: string;
  projectId: string;
  serviceAccount: LocalFcmServiceAccount;
}

/** One push the server accepted. */
export interface RecordedPush {
  token: string;
  /** `data.reminderId` of the message (null when absent). */
  reminderId: string | null;
  title: string | null;
  body: string | null;
  data: Record<string, string>;
  /** `android.collapse_key` */
  collapseKey: string | null;
  /** `apns.headers['apns-collapse-id']` */
  apnsCollapseId: string | null;
  /** `webpush.headers.Topic` */
  webpushTopic: string | null;
  /** The `name` answered: `projects/<p>/messages/<id>`. */
  name: string;
  receivedAt: number;
  /** The `message` object as sent (snake_case, as on the wire). */
  message: Record<string, unknown>;
}

export type InjectedFailureStatus = 429 | 500 | 503;

export interface InjectedFailure {
  status: InjectedFailureStatus;
  /** Sent as the `Retry-After` header (seconds) when given. */
  retryAfterSeconds?: number;
}

export interface LocalFcmServerStats {
  /** `messages:send` requests received (every attempt, retries included). */
  sendRequests: number;
  /** Pushes accepted (recorded). */
  accepted: number;
  /** Send requests answered with an error (auth, token, injected failures…). */
  rejected: number;
  /** Token exchanges answered with an access token. */
  tokensIssued: number;
  /** Token exchanges refused. */
  tokensRefused: number;
  /** Send requests refused for a missing, unknown or revoked access token. */
  unauthenticated: number;
}

export interface LocalFcmServer extends LocalFcmServerInfo {
  /** The plain connection info (what `createPushSender({ mode: 'local', fcm })` takes). */
  readonly info: LocalFcmServerInfo;
  readonly port: number;
  /** Every accepted push, in arrival order (only the last `keepPushes`). */
  readonly pushes: readonly RecordedPush[];
  readonly stats: Readonly<LocalFcmServerStats>;
  /** Accepted pushes for (reminderId, token): > 1 means a duplicate delivery. */
  countsBy(reminderId: string, token: string): number;
  /** The next `n` send requests (whatever their token) fail with `failure.status`. */
  failNext(n: number, failure: InjectedFailure): void;
  /** Forgets every access token issued so far: the next send with one is answered 401. */
  revokeAccessTokens(): void;
  /** Clears the recorded pushes, counters and pending injected failures. */
  reset(): void;
  close(): Promise<void>;
}

export interface LocalFcmServerOptions {
  /** Default: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default `stagelives-local`. */
  projectId?: string;
  /** Called for every accepted push (after it is recorded). */
  onPush?: (push: RecordedPush) => void;
  /** How many pushes `pushes` keeps (oldest dropped first; `countsBy` and `stats` count all). Default 100,000. */
  keepPushes?: number;
}

// ---- error bodies, as Google sends them ----

type GoogleStatus = 'INVALID_ARGUMENT' | 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'NOT_FOUND' | 'RESOURCE_EXHAUSTED' | 'INTERNAL' | 'UNAVAILABLE';

function fcmError(code: number, status: GoogleStatus, message: string, fcmErrorCode?: string, extraDetails: object[] = []): string {
  const details = fcmErrorCode ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: fcmErrorCode }, ...extraDetails] : extraDetails;
  return JSON.stringify({ error: { code, message, status, ...(details.length ? { details } : {}) } });
}

const UNREGISTERED_BODY = fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED');
const INVALID_TOKEN_MESSAGE = 'The registration token is not a valid FCM registration token';
const INVALID_TOKEN_BODY = fcmError(400, 'INVALID_ARGUMENT', INVALID_TOKEN_MESSAGE, 'INVALID_ARGUMENT', [
  { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.token', description: INVALID_TOKEN_MESSAGE }] },
]);
const UNAUTHENTICATED_BODY = fcmError(
  401,
  'UNAUTHENTICATED',
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
);
const FAILURE_BODIES: Record<InjectedFailureStatus, string> = {
  429: fcmError(
    429,
    'RESOURCE_EXHAUSTED',
    "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute' of service 'fcm.googleapis.com'.",
    'QUOTA_EXCEEDED',
  ),
  500: fcmError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL'),
  503: fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE'),
};

const JSON_TYPE = 'application/json; charset=UTF-8';

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1_000_000) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Verifies a Google service-account JWT assertion; returns why it is refused, or null. */
function checkAssertion(assertion: string, publicKey: KeyObject, clientEmail: string): string | null {
  const parts = assertion.split('.');
  if (parts.length !== 3) return 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.';
  const [headerB64, payloadB64, signatureB64] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(headerB64, 'base64url').toString('utf8')) as Record<string, unknown>;
    payload = JSON.parse(Buffer.from(payloadB64, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return 'Invalid JWT: could not parse.';
  }
  if (header.alg !== 'RS256') return 'Invalid JWT: unsupported algorithm.';
  if (!verify('RSA-SHA256', Buffer.from(`${headerB64}.${payloadB64}`), publicKey, Buffer.from(signatureB64, 'base64url'))) {
    return 'Invalid JWT Signature.';
  }
  if (payload.iss !== clientEmail) return 'Invalid JWT: unknown issuer.';
  if (payload.aud !== TOKEN_AUDIENCE) return 'Invalid JWT: audience must be https://oauth2.googleapis.com/token.';
  const now = Date.now() / 1000;
  if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number' || payload.exp < now - 60 || payload.iat > now + 300) {
    return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
  }
  const scopes = String(payload.scope ?? '').split(/\s+/);
  if (!scopes.some((s) => FCM_SCOPES.includes(s))) return 'Invalid JWT: scope does not cover Firebase Cloud Messaging.';
  return null;
}

/** Starts the local FCM v1 server (HTTPS, self-signed). Resolves once it listens. */
export async function startLocalFcmServer(options: LocalFcmServerOptions = {}): Promise<LocalFcmServer> {
  const host = options.host ?? '127.0.0.1';
  const projectId = options.projectId ?? 'stagelives-local';
  const keepPushes = Math.max(1, options.keepPushes ?? 100_000);
  const onPush = options.onPush;

  const [tls, accountKeys] = await Promise.all([
    generateCertificate([{ name: 'commonName', value: 'fcm.googleapis.com' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(Date.now() - 60_000),
      notAfterDate: new Date(Date.now() + 30 * 24 * 3600_000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [...FCM_HOSTS.map((value) => ({ type: 2 as const, value })), { type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }],
        },
      ],
    }),
    promisify(generateKeyPair)('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }),
  ]);
  const accountPublicKey = createPublicKey(accountKeys.publicKey);
  const serviceAccount: LocalFcmServiceAccount = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: accountKeys.privateKey,
    client_email: `firebase-adminsdk-local@${projectId}.iam.gserviceaccount.com`,
    client_id: String(100000000000000000000n + BigInt(`0x${randomBytes(8).toString('hex')}`)),
    token_uri: TOKEN_AUDIENCE,
  };

  const sendPath = `/v1/projects/${projectId}/messages:send`;
  const accessTokens = new Map<string, number>(); // token → expiry (ms)
  const failures: InjectedFailure[] = [];
  let pushes: RecordedPush[] = [];
  let counts = new Map<string, number>();
  const stats: LocalFcmServerStats = { sendRequests: 0, accepted: 0, rejected: 0, tokensIssued: 0, tokensRefused: 0, unauthenticated: 0 };
  const idPrefix = `0:${Date.now()}%`;
  let nextId = 0;
  const countKey = (reminderId: string, token: string) => `${reminderId}\u0000${token}`;

  async function handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const refuse = (error: string, description: string) => {
      stats.tokensRefused++;
      send(res, 400, JSON.stringify({ error, error_description: description }));
    };
    if (form.get('grant_type') !== JWT_BEARER) return refuse('unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`);
    const problem = checkAssertion(form.get('assertion') ?? '', accountPublicKey, serviceAccount.client_email);
    if (problem) return refuse('invalid_grant', problem);
    const accessToken = `ya29.local.${randomBytes(24).toString('base64url')}`;
    accessTokens.set(accessToken, Date.now() + ACCESS_TOKEN_TTL_SECONDS * 1000);
    stats.tokensIssued++;
    send(res, 200, JSON.stringify({ access_token: accessToken, expires_in: ACCESS_TOKEN_TTL_SECONDS, token_type: 'Bearer' }));
  }

  async function handleSend(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    stats.sendRequests++;
    const raw = await readBody(req);
    const reject = (status: number, body: string, headers?: Record<string, string>) => {
      stats.rejected++;
      send(res, status, body, headers);
    };
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : '';
    const expiry = accessTokens.get(bearer);
    if (expiry === undefined || expiry < Date.now()) {
      stats.unauthenticated++;
      return reject(401, UNAUTHENTICATED_BODY, { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
    }
    if (path !== sendPath) {
      const project = path.slice('/v1/projects/'.length, -'/messages:send'.length);
      return reject(
        403,
        fcmError(
          403,
          'PERMISSION_DENIED',
          `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${project}' (or it may not exist).`,
        ),
      );
    }
    const failure = failures.length ? failures.shift() : undefined;
    if (failure) {
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      return reject(failure.status, FAILURE_BODIES[failure.status], headers);
    }
    let request: Record<string, unknown>;
    try {
      request = obj(JSON.parse(raw));
    } catch {
      return reject(400, fcmError(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. Unexpected token.\n${raw.slice(0, 40)}`));
    }
    const message = obj(request.message);
    if (!request.message) return reject(400, fcmError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', 'INVALID_ARGUMENT'));
    const token = str(message.token);
    if (token === null) {
      return reject(400, fcmError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', 'INVALID_ARGUMENT')); // topics/conditions: not modelled
    }
    if (token.startsWith('unregistered-')) return reject(404, UNREGISTERED_BODY);
    if (token.startsWith('invalid-') || token.length === 0) return reject(400, INVALID_TOKEN_BODY);
    if (request.validate_only === true) {
      return send(res, 200, JSON.stringify({ name: `projects/${projectId}/messages/fake_message_id` }));
    }

    const name = `projects/${projectId}/messages/${idPrefix}${(nextId++).toString(16).padStart(16, '0')}`;
    const data = obj(message.data) as Record<string, string>;
    const notification = obj(message.notification);
    const android = obj(message.android);
    const apnsHeaders = obj(obj(message.apns).headers);
    const webpushHeaders = obj(obj(message.webpush).headers);
    const push: RecordedPush = {
      token,
      reminderId: str(data.reminderId),
      title: str(notification.title),
      body: str(notification.body),
      data,
      collapseKey: str(android.collapse_key),
      apnsCollapseId: str(apnsHeaders['apns-collapse-id']),
      webpushTopic: str(webpushHeaders.Topic ?? webpushHeaders.topic),
      name,
      receivedAt: Date.now(),
      message,
    };
    pushes.push(push);
    if (pushes.length >= 2 * keepPushes) pushes = pushes.slice(-keepPushes); // amortised: no copy per push
    if (push.reminderId !== null) {
      const key = countKey(push.reminderId, token);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    stats.accepted++;
    send(res, 200, JSON.stringify({ name }));
    onPush?.(push);
  }

  const server: Server = createServer({ key: tls.private, cert: tls.cert }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    let handled: Promise<void> | undefined;
    if (req.method === 'POST' && path === '/token') handled = handleToken(req, res);
    else if (req.method === 'POST' && path.startsWith('/v1/projects/') && path.endsWith('/messages:send')) handled = handleSend(req, res, path);
    else send(res, 404, fcmError(404, 'NOT_FOUND', 'Requested entity was not found.'));
    handled?.catch((error: unknown) => {
      if (!res.headersSent) send(res, 400, fcmError(400, 'INVALID_ARGUMENT', error instanceof Error ? error.message : String(error)));
    });
  });
  // Keep-alive longer than the client pools' idle time, so a reused socket is rarely closed under it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const info: LocalFcmServerInfo = { url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, ca: tls.cert, projectId, serviceAccount };

  return {
    ...info,
    info,
    port,
    get pushes() {
      if (pushes.length > keepPushes) pushes = pushes.slice(-keepPushes);
      return pushes;
    },
    stats,
    countsBy: (reminderId, token) => counts.get(countKey(reminderId, token)) ?? 0,
    failNext(n, failure) {
      for (let i = 0; i < n; i++) failures.push({ ...failure });
    },
    revokeAccessTokens: () => accessTokens.clear(),
    reset() {
      pushes = [];
      counts = new Map();
      failures.length = 0;
      for (const key of Object.keys(stats) as Array<keyof LocalFcmServerStats>) stats[key] = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
