import { domainEventStream, type DomainEvent } from './domain-events.js';

/**
 * The audit trail's stream (`<REDIS_PREFIX>events:audit`): each domain where staff act appends
 * one `audit.recorded` event per action (platform's `AuditTrail`, which makes the action and its
 * entry never one without the other); the moderation subgraph keeps them, append-only, and
 * serves them to admins (`auditLog`).
 */
export const AuditEventType = {
  Recorded: 'audit.recorded',
} as const;

/** What staff did: the one list (the moderation subgraph's `AuditAction` enum is derived from it). */
export const AUDIT_ACTIONS = [
  'ROLE_GRANTED',
  'ROLE_REVOKED',
  'USER_SUSPENDED',
  'USER_UNSUSPENDED',
  'CONTENT_HIDDEN',
  'CONTENT_RESTORED',
  'REPORT_RESOLVED',
  'CHAT_MEMBER_MUTED',
  'CHAT_MEMBER_REMOVED',
  'CONCERT_CREATED',
  'CONCERT_UPDATED',
  'CONCERT_CANCELLED',
  'CONCERT_DELETED',
  'ARTICLE_UPDATED',
  'ARTICLE_DELETED',
  'COMMENT_UPDATED',
  'COMMENT_DELETED',
] as const;
export type AuditActionName = (typeof AUDIT_ACTIONS)[number];

/** What an action was done to (the moderation subgraph's `AuditTargetType` enum is derived from it). */
export const AUDIT_TARGET_TYPES = ['USER', 'ARTICLE', 'COMMENT', 'CHAT_MESSAGE', 'CHAT_ROOM', 'CONCERT', 'REPORT'] as const;
export type AuditTargetTypeName = (typeof AUDIT_TARGET_TYPES)[number];

/** One entry of the audit trail. `entryId` is unique (the moderation subgraph keeps each once). */
export interface AuditEntryPayload {
  entryId: string;
  actorId: string;
  action: AuditActionName;
  targetType: AuditTargetTypeName;
  targetId: string;
  /** The staff member's reason or note, if any. */
  reason: string | null;
  /** Where it happened when the target alone does not say (e.g. `{ roomId }` for a chat member). */
  details: Record<string, string>;
  /** When the action was taken (ISO-8601). */
  at: string;
}

export interface AuditEventPayloads {
  'audit.recorded': AuditEntryPayload;
}

export type AuditEvent = DomainEvent<AuditEventPayloads>;

const actions = new Set<string>(AUDIT_ACTIONS);
const targets = new Set<string>(AUDIT_TARGET_TYPES);

const audit = domainEventStream<AuditEventPayloads>({
  domain: 'audit',
  types: Object.values(AuditEventType),
  maxLen: 100_000,
  valid: (event) =>
    typeof event.payload?.entryId === 'string' &&
    typeof event.payload.actorId === 'string' &&
    actions.has(event.payload.action) &&
    targets.has(event.payload.targetType) &&
    typeof event.payload.targetId === 'string',
});

/** The stream key of a stack: `${REDIS_PREFIX}events:audit`. */
export const auditEventsStream = audit.key;
/** Builds an event with a fresh id and the current time. */
export const auditEvent = audit.event;
/** Appends events to the stream, in order, in one round trip (MULTI); awaited. */
export const publishAuditEvents = audit.publish;
/** Parses the field list of one stream entry back into an event (null when it is not one). */
export const decodeAuditEvent = audit.decode;
