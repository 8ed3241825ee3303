import 'reflect-metadata';
import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum DevicePlatform {
  ANDROID = 'ANDROID',
  IOS = 'IOS',
  WEB = 'WEB',
}
registerEnumType(DevicePlatform, { name: 'DevicePlatform' });

/** A push token as stored in `notifications.device_tokens`. */
export interface DeviceTokenDocument {
  /** The FCM registration token itself: one owner at a time. */
  _id: string;
  userId: string;
  platform: DevicePlatform;
  createdAt: Date;
  updatedAt: Date;
}

export interface NotificationPreferences {
  ticketOpen: boolean;
  concertStart: boolean;
  /** Minutes before ticket sales open to remind. */
  ticketOpenLeadMinutes: number;
  /** Minutes before the show starts to remind. */
  concertStartLeadMinutes: number;
}

/** What a user who never changed anything gets. */
export const DEFAULT_NOTIFICATION_PREFERENCES: Readonly<NotificationPreferences> = Object.freeze({
  ticketOpen: true,
  concertStart: true,
  ticketOpenLeadMinutes: 60,
  concertStartLeadMinutes: 120,
});

/** A user's preferences as stored in `notifications.notification_preferences`, keyed by user id (hex). */
export interface PreferencesDocument extends NotificationPreferences {
  _id: string;
  updatedAt: Date;
}

@ObjectType('NotificationPreferences', { description: 'Which reminders a user gets, and how long before.' })
export class NotificationPreferencesType implements NotificationPreferences {
  @Field(() => Boolean, { description: 'Remind before ticket sales open.' })
  ticketOpen!: boolean;

  @Field(() => Boolean, { description: 'Remind before the show starts.' })
  concertStart!: boolean;

  @Field(() => Int)
  ticketOpenLeadMinutes!: number;

  @Field(() => Int)
  concertStartLeadMinutes!: number;

  /** A user's preferences from what is stored: the defaults for anything never saved. */
  static from(doc: Partial<NotificationPreferences> | null | undefined): NotificationPreferencesType {
    const d = DEFAULT_NOTIFICATION_PREFERENCES;
    return Object.assign(new NotificationPreferencesType(), {
      ticketOpen: doc?.ticketOpen ?? d.ticketOpen,
      concertStart: doc?.concertStart ?? d.concertStart,
      ticketOpenLeadMinutes: doc?.ticketOpenLeadMinutes ?? d.ticketOpenLeadMinutes,
      concertStartLeadMinutes: doc?.concertStartLeadMinutes ?? d.concertStartLeadMinutes,
    });
  }
}

@InputType('NotificationPreferencesInput')
export class NotificationPreferencesInput {
  @Field(() => Boolean, { nullable: true })
  ticketOpen?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  concertStart?: boolean | null;

  @Field(() => Int, { nullable: true, description: '5 to 10080 (one week).' })
  ticketOpenLeadMinutes?: number | null;

  @Field(() => Int, { nullable: true, description: '5 to 10080 (one week).' })
  concertStartLeadMinutes?: number | null;
}
