import type { ReminderConcertFacts } from '../reminder/reminder.rules.js';

/** A (concert, user) pair, ids as hex strings. */
export interface ConcertUserPair {
  concertId: string;
  userId: string;
}

/**
 * What this domain reads of the concerts domain (likes and dates, read-only) to schedule,
 * reconcile and re-check reminders. The subgraph never opens the concerts database: the workers
 * pass `ReminderSource` of `@stagelives/concerts/reminder-source`, which has this shape.
 */
export interface ConcertSource {
  /** Concerts by id (hex); missing ones (deleted, malformed ids) are absent from the map. */
  concertsByIds(ids: Iterable<string>): Promise<Map<string, ReminderConcertFacts>>;
  /** Concerts that start after `now` and are not cancelled, page by page. */
  upcomingConcerts(now: Date): AsyncIterable<ReminderConcertFacts[]>;
  /** The likes of these concerts, in batches. */
  likesOfConcerts(concertIds: Iterable<string>): AsyncIterable<ConcertUserPair[]>;
  /** Fans (user ids) per concert, for these concerts (every given concert has an entry). */
  fansOf(concertIds: Iterable<string>): Promise<Map<string, Set<string>>>;
  /** How many likes there are, from the server's collection statistics. */
  estimatedLikes(): Promise<number>;
  /** A user's likes. */
  likesOfUser(userId: string): Promise<ConcertUserPair[]>;
  /** Which of these pairs are liked now, as `<concertId>:<userId>` keys. */
  likedAmong(pairs: readonly ConcertUserPair[]): Promise<Set<string>>;
}
