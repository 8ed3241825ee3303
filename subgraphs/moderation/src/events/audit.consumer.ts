import { startStreamConsumer, type Logger, type Redis } from '@stagelives/platform';
import { auditEventsStream, decodeAuditEvent } from '@stagelives/schema';
import type { AuditService } from '../audit/audit.service.js';

/** Consumer group of the moderation domain on the audit stream. */
const MODERATION_AUDIT_CONSUMER_GROUP = 'moderation';

/**
 * Keeps the audit trail: reads `audit.recorded` from the audit stream in the `moderation`
 * consumer group (each entry to one instance; a crashed instance's entries are claimed by the
 * others) and stores each entry once per `entryId`, so an entry appended twice (a recovery) or
 * delivered twice is kept once.
 */
export function startAuditConsumer({
  redis,
  redisPrefix,
  audit,
  logger,
  blockMs,
}: {
  redis: Redis;
  redisPrefix: string;
  audit: AuditService;
  logger: Logger;
  blockMs?: number;
}): { stop(): Promise<void> } {
  return startStreamConsumer({
    redis,
    stream: auditEventsStream(redisPrefix),
    group: MODERATION_AUDIT_CONSUMER_GROUP,
    logger,
    blockMs,
    handle: async (_entryId, fields) => {
      const event = decodeAuditEvent(fields);
      if (event) await audit.keep(event.payload);
    },
  });
}
