import { domainEventStream, type DomainEvent } from './domain-events.js';

/**
 * Domain events of the moderation domain (`<REDIS_PREFIX>events:moderation`): staff hid or
 * restored a piece of content. The domain that owns the content consumes them and applies them to
 * its own documents (articles and comments: the articles domain; chat messages: the chat domain,
 * which also tells the room's live subscribers, `messageRemoved`).
 */
export const ModerationEventType = {
  ContentHidden: 'content.hidden',
  ContentRestored: 'content.restored',
} as const;

/** What content staff can hide (`ReportTargetType` without USER). */
export const HIDEABLE_CONTENT = ['ARTICLE', 'COMMENT', 'CHAT_MESSAGE'] as const;
export type HideableContentName = (typeof HIDEABLE_CONTENT)[number];

export interface ContentModerationPayload {
  targetType: HideableContentName;
  targetId: string;
  /** The staff member who acted. */
  actorId: string;
  reason: string | null;
  /** When staff acted (ISO-8601); an owner applies an event only if it is newer than what it applied last. */
  at: string;
}

export interface ModerationEventPayloads {
  'content.hidden': ContentModerationPayload;
  'content.restored': ContentModerationPayload;
}

export type ModerationEvent = DomainEvent<ModerationEventPayloads>;

const hideable = new Set<string>(HIDEABLE_CONTENT);

const moderation = domainEventStream<ModerationEventPayloads>({
  domain: 'moderation',
  types: Object.values(ModerationEventType),
  maxLen: 100_000,
  valid: (event) => hideable.has(event.payload?.targetType) && typeof event.payload.targetId === 'string' && typeof event.payload.at === 'string',
});

/** The stream key of a stack: `${REDIS_PREFIX}events:moderation`. */
export const moderationEventsStream = moderation.key;
/** Builds an event with a fresh id and the current time. */
export const moderationEvent = moderation.event;
/** Appends events to the stream, in order, in one round trip (MULTI); awaited. */
export const publishModerationEvents = moderation.publish;
/** Parses the field list of one stream entry back into an event (null when it is not one). */
export const decodeModerationEvent = moderation.decode;
