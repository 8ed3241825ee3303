import 'reflect-metadata';
import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { preferencesOf, type ReminderPreferences } from '../reminder/reminder.rules.js';

export enum DevicePlatform {
  ANDROID = 'ANDROID',
  IOS = 'IOS',
  WEB = 'WEB',
}
registerEnumType(DevicePlatform, { name: 'DevicePlatform' });

@ObjectType('NotificationPreferences', { description: 'Which reminders a user gets, and how long before.' })
export class NotificationPreferencesType implements ReminderPreferences {
  @Field(() => Boolean, { description: 'Remind before ticket sales open.' })
  ticketOpen!: boolean;

  @Field(() => Boolean, { description: 'Remind before the show starts.' })
  concertStart!: boolean;

  @Field(() => Int)
  ticketOpenLeadMinutes!: number;

  @Field(() => Int)
  concertStartLeadMinutes!: number;

  /** A user's preferences from what is stored: the defaults for anything never saved. */
  static from(doc: Partial<ReminderPreferences> | null | undefined): NotificationPreferencesType {
    return Object.assign(new NotificationPreferencesType(), preferencesOf(doc));
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
