import 'reflect-metadata';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES, ConnectionType, type AuditActionName, type AuditTargetTypeName } from '@stagelives/schema';

/** `AuditAction`: schema's AUDIT_ACTIONS, the one list. */
const AuditAction = Object.fromEntries(AUDIT_ACTIONS.map((a) => [a, a])) as { [K in AuditActionName]: K };
registerEnumType(AuditAction, { name: 'AuditAction', description: 'What a staff member did.' });

/** `AuditTargetType`: schema's AUDIT_TARGET_TYPES. */
const AuditTargetType = Object.fromEntries(AUDIT_TARGET_TYPES.map((t) => [t, t])) as { [K in AuditTargetTypeName]: K };
registerEnumType(AuditTargetType, { name: 'AuditTargetType', description: 'What a staff action was done to.' });

/**
 * One entry of the audit trail as stored in the `audit_entries` collection: `_id` is the entry's
 * `entryId`, so an entry appended twice to the audit stream is kept once. Append-only: nothing
 * changes or deletes it.
 */
export interface AuditEntryDocument {
  _id: string;
  /** Hex id of the staff member (kept when the account is deleted). */
  actorId: string;
  action: AuditActionName;
  targetType: AuditTargetTypeName;
  targetId: string;
  reason: string | null;
  details: Record<string, string>;
  /** When the action was taken. */
  createdAt: Date;
  /** When this subgraph stored it. */
  recordedAt: Date;
}

@ObjectType('AuditEntry', { description: 'One staff action. Append-only; admins only.' })
export class AuditEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => AuditAction)
  action!: AuditActionName;

  @Field(() => AuditTargetType)
  targetType!: AuditTargetTypeName;

  @Field(() => ID)
  targetId!: string;

  @Field(() => String, { nullable: true, description: 'The staff member’s reason or note.' })
  reason!: string | null;

  @Field(() => Date, { description: 'When the action was taken.' })
  createdAt!: Date;

  actorId!: string;

  static from(doc: AuditEntryDocument): AuditEntry {
    return Object.assign(new AuditEntry(), {
      id: doc._id,
      action: doc.action,
      targetType: doc.targetType,
      targetId: doc.targetId,
      reason: doc.reason,
      createdAt: doc.createdAt,
      actorId: doc.actorId,
    });
  }
}

export const AuditEntryConnection = ConnectionType('AuditEntry', AuditEntry);
export type AuditEntryConnection = InstanceType<typeof AuditEntryConnection>;
