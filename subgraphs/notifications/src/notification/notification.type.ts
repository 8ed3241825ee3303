import 'reflect-metadata';
import { Field, ID, ObjectType } from 'type-graphql';
import type { ObjectId } from 'mongodb';
import { ConnectionType } from '@stagelives/schema';
import { NotificationKind } from '../reminder/reminder.rules.js';
import '../scheduled-notification/scheduled-notification.type.js';

/**
 * An in-app notification, in `notifications`: one per sent reminder, with the reminder's id as
 * its own (so writing it twice is impossible). Written once; being read is a separate document.
 */
export interface NotificationDocument {
  _id: ObjectId;
  userId: string;
  concertId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  createdAt: Date;
  expireAt: Date;
}

/** That a notification was read, in `notification_reads`, keyed by the notification's id: inserted once. */
export interface NotificationReadDocument {
  _id: ObjectId;
  userId: string;
  readAt: Date;
  /** The notification's: both go together. */
  expireAt: Date;
}

@ObjectType('Notification', { description: 'An in-app notification: a reminder that was sent, or a cancelled concert.' })
export class Notification {
  @Field(() => ID)
  id!: string;

  @Field(() => NotificationKind)
  kind!: NotificationKind;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  body!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the viewer marked it read; null while unread.' })
  readAt!: Date | null;

  concertId!: string;

  static from(doc: NotificationDocument, readAt: Date | null): Notification {
    return Object.assign(new Notification(), {
      id: doc._id.toHexString(),
      kind: doc.kind,
      title: doc.title,
      body: doc.body,
      createdAt: doc.createdAt,
      readAt,
      concertId: doc.concertId,
    });
  }
}

/** A page of a user's notifications, newest first; `totalCount` and `unreadCount` are read only when asked. */
export const NotificationConnection = ConnectionType('Notification', Notification);
export type NotificationConnection = Omit<InstanceType<typeof NotificationConnection>, 'totalCount'> & {
  /** Whose notifications, for the counts. */
  userId: string;
};
