import { z } from 'zod';
import { loadConfig } from '@stagelives/platform';

const ms = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/** Settings of the notifications workers, read once at start-up (every one has a default). */
const PARTS = ['send', 'events', 'upkeep'] as const;

export const notificationsEnv = {
  /**
   * What this process runs, comma-separated: `send` (the send queue's worker), `events` (the
   * concerts, users and notifications stream consumers), `upkeep` (the `notifications-upkeep`
   * queue: reconciliation, also at start-up, and pruning). Default all; e.g. `send` for extra
   * send-only processes.
   */
  NOTIFICATIONS_PARTS: z
    .string()
    .default(PARTS.join(','))
    .transform((value, ctx) => {
      const parts = value
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
      if (unknown.length) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown part(s) ${unknown.join(', ')}; use ${PARTS.join(', ')}` });
      return new Set(parts as Array<(typeof PARTS)[number]>);
    }),
  /** Reminder jobs one worker process runs at once (they are sent in batches, below). */
  NOTIFICATIONS_SEND_CONCURRENCY: z.coerce.number().int().min(1).max(5000).default(1000),
  /** Most reminders sent together: one database write per kind of record, and their pushes in parallel. */
  NOTIFICATIONS_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  /** How long a batch waits for more jobs after its first. */
  NOTIFICATIONS_BATCH_WAIT_MS: ms(25),
  /** Attempts of a reminder whose pushes fail transiently (429, 5xx, network); then its devices fail. */
  NOTIFICATIONS_PUSH_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** First retry delay; doubles per attempt (with jitter), at least FCM's Retry-After, at most 15 minutes. */
  NOTIFICATIONS_PUSH_BACKOFF_MS: ms(2_000, 1),
  /** How long one worker holds a reminder while sending it (a dead worker's hold ends after this). */
  NOTIFICATIONS_SEND_LOCK_MS: ms(60_000, 100),
  /** BullMQ's job lock (renewed while a job runs; a dead worker's jobs are retried after it). */
  NOTIFICATIONS_JOB_LOCK_MS: ms(30_000, 100),
  /** How often BullMQ looks for jobs of dead workers. */
  NOTIFICATIONS_STALLED_CHECK_MS: ms(30_000, 100),
  /** How old the fans, preferences and devices a fire-time check uses may be (0: read them for every batch). */
  NOTIFICATIONS_RECHECK_CACHE_MS: ms(30_000),
  /**
   * How long the likes a fire-time check uses may be read whole before they are read again. In
   * between they are kept exact from the concert events stream (pairs liked or unliked since are
   * read by key), so this bounds only what a lost event could hide; reconciliation repairs the
   * same at the same pace. Never shorter than NOTIFICATIONS_RECHECK_CACHE_MS.
   */
  NOTIFICATIONS_LIKES_CACHE_MS: ms(10 * 60_000),
  /** How often reminders are rebuilt from the likes and missing jobs re-queued (also at start-up). */
  NOTIFICATIONS_RECONCILE_EVERY_MS: ms(10 * 60_000, 1_000),
  /** How often expired history, reminders and ledger entries are deleted. */
  NOTIFICATIONS_PRUNE_EVERY_MS: ms(60 * 60_000, 1_000),
  /** Event stream entries left unacknowledged this long by a dead consumer are taken over. */
  NOTIFICATIONS_EVENTS_CLAIM_IDLE_MS: ms(60_000, 100),
};

export type NotificationsConfig = z.infer<z.ZodObject<typeof notificationsEnv>>;

export function loadNotificationsConfig(env: NodeJS.ProcessEnv = process.env): NotificationsConfig {
  return loadConfig(notificationsEnv, env);
}

/** The defaults (tests override a few). */
export const defaultNotificationsConfig = (): NotificationsConfig => loadNotificationsConfig({});
