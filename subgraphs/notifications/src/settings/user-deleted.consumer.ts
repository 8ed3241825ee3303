import { onUserDeleted, type Logger, type Redis } from '@stagelives/platform';
import type { SettingsRepository } from './settings.repository.js';

/** Consumer group of the notifications subgraph on the users event stream (the workers read it in `notifications`). */
const SETTINGS_USERS_CONSUMER_GROUP = 'notifications-settings';

/**
 * A deleted account's devices and preferences go: reads `user.deleted` from the users event
 * stream in the `notifications-settings` consumer group, marks the account deleted (scheduling
 * and sending skip it) and removes its tokens and preferences. Idempotent; an entry whose
 * handling failed is taken over again.
 */
export function startUserDeletedConsumer({
  redis,
  redisPrefix,
  settings,
  logger,
  blockMs,
}: {
  redis: Redis;
  redisPrefix: string;
  settings: SettingsRepository;
  logger: Logger;
  /** How long one XREADGROUP waits for entries. Default 1000 ms. */
  blockMs?: number;
}): { stop(): Promise<void> } {
  return onUserDeleted({ redis, redisPrefix, group: SETTINGS_USERS_CONSUMER_GROUP, logger, blockMs, handle: (userId) => settings.deleteByUser(userId) });
}
