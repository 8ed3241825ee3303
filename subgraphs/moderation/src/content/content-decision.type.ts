import 'reflect-metadata';
import { registerEnumType } from 'type-graphql';
import type { HideableContentName } from '@stagelives/schema';

/** What can be reported and moderated; USER cannot be hidden (suspend the account instead). */
export enum ReportTargetType {
  ARTICLE = 'ARTICLE',
  COMMENT = 'COMMENT',
  CHAT_MESSAGE = 'CHAT_MESSAGE',
  USER = 'USER',
}
registerEnumType(ReportTargetType, { name: 'ReportTargetType', description: 'What a report or a moderation decision is about.' });

/**
 * The latest decision on one piece of content, in the `content_decisions` collection (one per
 * target: `_id` is `<targetType>:<targetId>`). The owning domain applies it to its documents.
 */
export interface ContentDecisionDocument {
  _id: string;
  targetType: HideableContentName;
  targetId: string;
  hidden: boolean;
  reason: string | null;
  actorId: string;
  /** When staff decided: a decision replaces the stored one only if it is newer. */
  at: Date;
}
