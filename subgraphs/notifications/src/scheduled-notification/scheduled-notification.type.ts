import 'reflect-metadata';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { ObjectId } from 'mongodb';
import { NotificationKind, ReminderStatus, type ReminderOutcomeStatus } from '../reminder/reminder.rules.js';

registerEnumType(NotificationKind, { name: 'NotificationKind', description: 'What a notification is about.' });
registerEnumType(ReminderStatus, {
  name: 'ScheduledNotificationStatus',
  description: 'PENDING until it is sent (SENT), cannot be (FAILED, e.g. `missed`) or is no longer wanted (CANCELLED).',
});

/**
 * A reminder as stored in `scheduled_notifications`: written once, never updated. Its id is
 * derived from (kind, concert, user, fire time) (`reminderIdOf`). What became of it is its
 * outcome document (below); none means PENDING.
 */
export interface ScheduledNotificationDocument {
  _id: ObjectId;
  userId: string;
  concertId: string;
  kind: NotificationKind;
  fireAt: Date;
  /** The moment it reminds of; null for a cancellation notice. */
  eventAt: Date | null;
  /** The concert's title when it was scheduled (a deleted concert's notice still has one). */
  title: string;
  createdAt: Date;
  /** Pruned after this (TTL index where the server has them, the prune job otherwise). */
  expireAt: Date;
}

/**
 * What became of a reminder, in `notification_outcomes`, keyed by the reminder's id: inserted
 * once, so the first decision wins (a cancel and a send racing on one reminder cannot both
 * happen). Only reopening a CANCELLED reminder (liked again, preference back on) deletes one.
 */
export interface NotificationOutcomeDocument {
  _id: ObjectId;
  userId: string;
  concertId: string;
  status: ReminderOutcomeStatus;
  reason: string | null;
  at: Date;
  expireAt: Date;
}

@ObjectType('ScheduledNotification', { description: 'A reminder of the viewer: when it fires, and what became of it.' })
export class ScheduledNotification {
  @Field(() => ID)
  id!: string;

  @Field(() => NotificationKind)
  kind!: NotificationKind;

  @Field(() => Date, { description: 'When it is (or was) due; a cancellation notice is due when the concert was cancelled.' })
  fireAt!: Date;

  @Field(() => ReminderStatus)
  status!: ReminderStatus;

  @Field(() => String, {
    nullable: true,
    description:
      'Why it was CANCELLED (unliked, preference-off, preferences-changed, rescheduled, concert-cancelled, concert-deleted, account-deleted) or FAILED (missed); null otherwise.',
  })
  reason!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { description: 'When its status last changed.' })
  updatedAt!: Date;

  concertId!: string;

  static from(doc: ScheduledNotificationDocument, outcome: NotificationOutcomeDocument | null | undefined): ScheduledNotification {
    return Object.assign(new ScheduledNotification(), {
      id: doc._id.toHexString(),
      kind: doc.kind,
      fireAt: doc.fireAt,
      status: outcome?.status ?? ReminderStatus.PENDING,
      reason: outcome?.reason ?? null,
      createdAt: doc.createdAt,
      updatedAt: outcome?.at ?? doc.createdAt,
      concertId: doc.concertId,
    });
  }
}
