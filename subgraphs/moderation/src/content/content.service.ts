import type { AuditTrail, Redis } from '@stagelives/platform';
import {
  BadUserInputError,
  type HideableContentName,
  HIDEABLE_CONTENT,
  type Identity,
  cleanText,
  moderationEvent,
  parseId,
  publishModerationEvents,
} from '@stagelives/schema';
import type { ContentDecisionRepository } from './content-decision.repository.js';
import type { ReportTargetType } from './content-decision.type.js';

const REASON_MAX = 500;

/** The arguments of a hide or restore, as the audit trail stores them to apply them again. */
interface ContentCommand extends Record<string, unknown> {
  targetType: HideableContentName;
  targetId: string;
  actorId: string;
  reason: string | null;
  /** When staff decided (ISO-8601): the decision's version. */
  at: string;
}

const hideable = new Set<string>(HIDEABLE_CONTENT);

function targetOf(targetType: ReportTargetType, targetId: string): { targetType: HideableContentName; targetId: string } {
  if (!hideable.has(targetType)) throw new BadUserInputError(`${targetType} cannot be hidden (suspend the account instead).`, 'targetType');
  return { targetType: targetType as HideableContentName, targetId: parseId(targetId, 'targetId').toHexString() };
}

/**
 * Hiding and restoring content. The decision is a staff action of this domain: it goes through
 * the domain's audit trail, whose appliers (below) store it and announce it on the moderation
 * stream; the domain owning the content applies it to its documents.
 */
export class ContentService {
  constructor(private readonly trail: AuditTrail) {}

  async hide(viewer: Identity, targetType: ReportTargetType, targetId: string, reason: string, now = new Date()): Promise<boolean> {
    const target = targetOf(targetType, targetId);
    const clean = cleanText(reason, { field: 'reason', max: REASON_MAX });
    const command: ContentCommand = { ...target, actorId: viewer.userId, reason: clean, at: now.toISOString() };
    await this.trail.record({ actorId: viewer.userId, action: 'CONTENT_HIDDEN', ...target, reason: clean }, command, now);
    return true;
  }

  async restore(viewer: Identity, targetType: ReportTargetType, targetId: string, now = new Date()): Promise<boolean> {
    const target = targetOf(targetType, targetId);
    const command: ContentCommand = { ...target, actorId: viewer.userId, reason: null, at: now.toISOString() };
    await this.trail.record({ actorId: viewer.userId, action: 'CONTENT_RESTORED', ...target }, command, now);
    return true;
  }
}

/**
 * The audit trail's appliers of this domain: store the decision (upsert by target, only if
 * newer) and append `content.hidden` / `content.restored`. Idempotent: applied again after a
 * crash, the decision is already stored and the owner ignores an event no newer than what it applied.
 */
export function contentAppliers(decisions: ContentDecisionRepository, redis: Redis, redisPrefix: string) {
  const apply = (hidden: boolean) => async (raw: Record<string, unknown>) => {
    const command = raw as ContentCommand;
    await decisions.upsertIfNewer({
      _id: `${command.targetType}:${command.targetId}`,
      targetType: command.targetType,
      targetId: command.targetId,
      hidden,
      reason: command.reason,
      actorId: command.actorId,
      at: new Date(command.at),
    });
    const payload = { targetType: command.targetType, targetId: command.targetId, actorId: command.actorId, reason: command.reason, at: command.at };
    await publishModerationEvents(redis, redisPrefix, [moderationEvent(hidden ? 'content.hidden' : 'content.restored', payload)]);
    return true;
  };
  return { CONTENT_HIDDEN: apply(true), CONTENT_RESTORED: apply(false) };
}
