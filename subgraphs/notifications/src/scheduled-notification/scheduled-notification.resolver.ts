import { FieldResolver, Resolver, Root } from 'type-graphql';
import { ConcertReference } from '../concert/concert.reference.js';
import { ScheduledNotification } from './scheduled-notification.type.js';

@Resolver(() => ScheduledNotification)
export class ScheduledNotificationResolver {
  @FieldResolver(() => ConcertReference, { nullable: true, description: 'The concert it is about (null once the concert is deleted).' })
  concert(@Root() reminder: ScheduledNotification): ConcertReference {
    return ConcertReference.of(reminder.concertId);
  }
}
