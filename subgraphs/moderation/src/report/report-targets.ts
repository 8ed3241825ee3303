import type { Identity } from '@stagelives/schema';
import type { OwnerClient } from '../owners/owner-client.js';
import { ReportTargetType } from '../content/content-decision.type.js';

/** What the owner says of a reported target: who wrote it (the account itself for a USER). */
export interface ReportedTarget {
  authorId: string;
}

/** Which subgraph owns each kind of target, as which entity, and how its author is read. */
const OWNERS: Record<ReportTargetType, { subgraph: string; typename: string; selection: string }> = {
  [ReportTargetType.ARTICLE]: { subgraph: 'articles', typename: 'Article', selection: 'id author { id }' },
  [ReportTargetType.COMMENT]: { subgraph: 'articles', typename: 'Comment', selection: 'id author { id }' },
  [ReportTargetType.CHAT_MESSAGE]: { subgraph: 'chat', typename: 'ChatMessage', selection: 'id author { id }' },
  [ReportTargetType.USER]: { subgraph: 'users', typename: 'User', selection: 'id deleted' },
};

interface EntityAnswer {
  id: string;
  author?: { id: string };
  deleted?: boolean;
}

/**
 * Reported targets, as their owners see them for the reporter: through the owner's `_entities`
 * (its reference resolver decides — a missing, deleted or hidden article, a hidden comment or
 * chat message answers null), asked as the reporter. Null when the reporter cannot see it.
 */
export class ReportTargets {
  constructor(private readonly owners: OwnerClient) {}

  async lookup(reporter: Identity, targetType: ReportTargetType, targetId: string): Promise<ReportedTarget | null> {
    const owner = OWNERS[targetType];
    const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${owner.typename} { ${owner.selection} } } }`;
    const data = await this.owners.request<{ _entities: Array<EntityAnswer | null> }>(owner.subgraph, reporter, query, {
      representations: [{ __typename: owner.typename, id: targetId }],
    });
    const entity = data._entities[0];
    if (!entity || entity.deleted) return null;
    return { authorId: targetType === ReportTargetType.USER ? entity.id : (entity.author?.id ?? '') };
  }

  /** Suspends an account through the users subgraph, as the staff member: its rules (and audit trail) apply. */
  async suspend(staff: Identity, userId: string, reason: string): Promise<void> {
    await this.owners.request(
      'users',
      staff,
      'mutation($userId: ID!, $reason: String!) { suspendUser(userId: $userId, reason: $reason, until: null) { id } }',
      { userId, reason },
    );
  }
}
