// What the dispatcher sends and the answers it understands: the port the workers' push transport
// (workers/src/push, firebase-admin → FCM HTTP v1) implements.

/** One notification to the devices of one reminder. */
export interface PushMessage {
  /** Carried as `data.reminderId` and as every platform's collapse key: a repeat replaces, not adds. */
  reminderId: string;
  /** Registration tokens; duplicates are sent once. Any number: sent in calls of ≤ 500. */
  tokens: readonly string[];
  title: string;
  body: string;
  /** Extra data for the app (string values; `reminderId` is set by the sender). */
  data?: Record<string, string>;
  /** Drop the push if it cannot be delivered within this many seconds (default: FCM's 4 weeks). */
  ttlSeconds?: number;
}

/**
 * What a failed push means for the caller:
 * - `unregistered`: the app was uninstalled or the token expired (FCM `UNREGISTERED`): remove the token.
 * - `invalid`: the token is not a valid FCM registration token: remove the token.
 * - `transient`: try the same push again later (after `retryAfterSeconds` when given): quota
 *   (429), FCM unavailable or internal error (5xx), network failure or timeout.
 * - `permanent`: retrying the same push will not help and the token is not at fault: a payload
 *   FCM rejects, a sender/project mismatch, an authentication or configuration problem. Keep the
 *   token, log the error.
 */
export type PushFailureKind = 'unregistered' | 'invalid' | 'transient' | 'permanent';

interface PushDelivered {
  token: string;
  ok: true;
  /** FCM's message name, `projects/<project>/messages/<id>`. */
  messageId: string;
}

export interface PushFailed {
  token: string;
  ok: false;
  kind: PushFailureKind;
  /** From the `Retry-After` of a 429/5xx answer in the same call, when FCM sent one. */
  retryAfterSeconds?: number;
  /** firebase-admin's error code (`messaging/…`, `app/…`) and message. */
  error: { code: string; message: string };
}

export type PushResult = PushDelivered | PushFailed;

/** The part of the push transport sending needs (`createPushSender` in workers/src/push). */
export interface PushTransport {
  /** One result per distinct token, in the order given; rejects only when the transport itself failed. */
  send(message: PushMessage): Promise<PushResult[]>;
}
