import type { PushFailureKind } from '@stagelives/notifications/store';

/** firebase-admin's code for a 404 UNREGISTERED (also NOT_FOUND). */
const UNREGISTERED = new Set(['messaging/registration-token-not-registered']);
const INVALID = new Set(['messaging/invalid-registration-token']);
const TRANSIENT = new Set([
  // 429: QUOTA_EXCEEDED and RESOURCE_EXHAUSTED both map here (firebase-admin 13 has no `messaging/quota-exceeded`).
  'messaging/message-rate-exceeded',
  'messaging/device-message-rate-exceeded',
  'messaging/topics-message-rate-exceeded',
  // 503 UNAVAILABLE (after firebase-admin's own retries) and 500 INTERNAL.
  'messaging/server-unavailable',
  'messaging/internal-error',
  // No answer: the push may or may not have been delivered (the collapse key makes a repeat harmless).
  'app/network-error',
  'app/network-timeout',
]);

/**
 * FCM answers a malformed token with the generic 400 INVALID_ARGUMENT, which firebase-admin maps
 * to `messaging/invalid-argument` like any other bad field; only the message tells the token apart.
 */
const TOKEN_MESSAGE = /registration token|message\.token/i;
/** OAuth2 answers that mean the credential itself is wrong (not a network failure on the way). */
const BAD_CREDENTIAL = /invalid_grant|invalid_client|unauthorized_client|invalid_scope|access_denied|Invalid JWT|private key|must contain/i;

/** Classifies a firebase-admin error (`FirebaseMessagingError` / `FirebaseAppError` code and message). */
export function classifyPushError(code: string | undefined, message = ''): PushFailureKind {
  if (!code) return 'permanent';
  if (UNREGISTERED.has(code)) return 'unregistered';
  if (INVALID.has(code)) return 'invalid';
  if (code === 'messaging/invalid-argument') return TOKEN_MESSAGE.test(message) ? 'invalid' : 'permanent';
  if (TRANSIENT.has(code)) return 'transient';
  if (code === 'messaging/unknown-error') {
    // Non-JSON answers (a proxy's 502, …) end up here with "Status code: NNN." in the message.
    const status = Number(/Status code: (\d{3})/.exec(message)?.[1] ?? 0);
    return status === 429 || status >= 500 ? 'transient' : 'permanent';
  }
  // The token exchange failed: a refused credential is a configuration error, anything else
  // (network, the token endpoint's 5xx) may pass.
  if (code === 'app/invalid-credential') return BAD_CREDENTIAL.test(message) ? 'permanent' : 'transient';
  return 'permanent';
}
