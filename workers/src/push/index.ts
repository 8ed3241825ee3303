/**
 * # Push transport
 *
 * Sends reminder notifications through Firebase Cloud Messaging with the real `firebase-admin`
 * client (13.x: 14.x needs Node 22). The notifications domain decides *what* to send and when;
 * this module only sends and says what happened to each token.
 *
 * ```ts
 * const sender = createPushSender(loadPushConfig(process.env));   // once, at start-up
 * const results = await sender.send({ reminderId, tokens, title, body, data });
 * for (const r of results) {
 *   if (r.ok) continue;                                            // r.messageId
 *   if (r.kind === 'unregistered' || r.kind === 'invalid') ...     // remove r.token
 *   else if (r.kind === 'transient') ...                           // retry after r.retryAfterSeconds ?? backoff
 *   else ...                                                       // permanent: log r.error, keep the token
 * }
 * await sender.close();                                            // at shutdown
 * ```
 *
 * ## Modes (`loadPushConfig`, read once)
 * - **firebase**: `FIREBASE_SERVICE_ACCOUNT` (the JSON key, inline) or
 *   `GOOGLE_APPLICATION_CREDENTIALS` (a key file path; other ADC types via `applicationDefault()`).
 *   Optional `FIREBASE_PROJECT_ID`.
 * - **local**: neither set; `FCM_LOCAL_URL`, `FCM_LOCAL_CA`, `FCM_LOCAL_SERVICE_ACCOUNT` point at
 *   the local FCM server of `@stagelives/devkit` (`startLocalFcmServer`; `npm run dev` starts it
 *   and sets them). Nothing configured: `ConfigError`.
 *
 * ## How firebase-admin reaches the local server (no patch; firebase-admin 13.9.0)
 * firebase-admin builds its URLs from fixed hosts (`https://fcm.googleapis.com/v1/projects/<p>/messages:send`
 * in `lib/messaging/messaging.js`, `https://oauth2.googleapis.com/token` in google-auth-library's
 * gtoken). The local mode changes only where those names connect to:
 * 1. `credential: cert(serviceAccount, agent)`: firebase-admin's own service-account credential
 *    (google-auth-library JWT client) signs an RS256 assertion with the local server's generated
 *    key and POSTs it to `oauth2.googleapis.com/token` through `agent` (gaxios → node-fetch honours
 *    `agent`). The local server verifies the signature and issues the access token.
 * 2. `httpAgent: agent` in the app options: an `https.Agent` (`PushAgent`) whose `lookup` answers
 *    the local server's address for those two hosts (and ENOTFOUND for any other), whose `port`
 *    option replaces 443 (Node's `Agent#createSocket` spreads the agent's options over the
 *    request's), and whose `ca` is the local server's self-signed certificate, issued for those
 *    host names: TLS verification stays on, Host header and SNI are Google's.
 * 3. `getMessaging(app).enableLegacyHttpTransport()`: `sendEach*` use HTTP/2 by default, and that
 *    transport (`Http2SessionHandler` → `http2.connect('https://fcm.googleapis.com')`) takes no agent.
 *    The legacy HTTP/1.1 transport uses the app's `httpAgent`. Firebase mode uses the same
 *    transport, so production runs the code path the tests run.
 *
 * ## What firebase-admin does on its own
 * - It retries a **503** up to 4 times (0 s, then 1, 2, 4 s of backoff, or the `Retry-After` when
 *   it is ≤ 60 s) before reporting `messaging/server-unavailable`; a 503 with `Retry-After` > 60 s is
 *   reported at once. 429 and 500 are not retried. This is its default `RetryConfig`, not settable
 *   from outside. `ECONNRESET`/`ETIMEDOUT` are retried too (each request times out after 15 s).
 * - It does **not expose `Retry-After`**: a failed send becomes a `FirebaseMessagingError` with a
 *   code and a message only (headers and body are dropped in `createFirebaseError`). `PushAgent`
 *   reads the header off the responses of each `sendEachForMulticast` call (an AsyncLocalStorage
 *   scope around the call; the agent sees every request in `addRequest`), and transient failures
 *   of that call carry the largest value seen as `retryAfterSeconds`.
 * - FCM v1 answers a malformed token with the generic 400 `INVALID_ARGUMENT`
 *   (`messaging/invalid-argument`); the message ("…not a valid FCM registration token") tells it
 *   from a bad payload. `QUOTA_EXCEEDED` maps to `messaging/message-rate-exceeded` (there is no
 *   `messaging/quota-exceeded` in 13.x); a 401 to `messaging/third-party-auth-error`.
 *
 * ## Duplicates
 * FCM v1 lets no client choose the message id. The reminder id travels as `data.reminderId`,
 * `android.collapse_key` (+ `android.notification.tag`), `apns-collapse-id` and web push `Topic`,
 * so a push sent twice (a retried job, a timeout after delivery) replaces itself on the device,
 * and the local server counts pushes per (reminderId, token).
 */
export { createPushSender } from './push.sender.js';
export type { PushSender } from './push.sender.js';
export type { PushFailed } from '@stagelives/notifications/store';
export { classifyPushError } from './push.errors.js';
export { loadPushConfig, localFcmEnv } from './push.config.js';
export { parseRetryAfter } from './push.agent.js';
