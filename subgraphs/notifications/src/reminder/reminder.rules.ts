// The pure rules of reminders: kinds, states, ids, what should be scheduled, whether a reminder
// is still wanted when it fires, and what the push says. No I/O; the subgraph and the workers
// (through `@stagelives/notifications/store`) share them.
import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';

export const NotificationKind = {
  /** Before ticket sales open (`ticketOpenAt − ticketOpenLeadMinutes`). */
  TICKET_OPEN: 'TICKET_OPEN',
  /** Before the show starts (`startsAt − concertStartLeadMinutes`). */
  CONCERT_START: 'CONCERT_START',
  /** The concert was cancelled or deleted: one notice per fan, sent at once. */
  CONCERT_CANCELLED: 'CONCERT_CANCELLED',
} as const;
export type NotificationKind = (typeof NotificationKind)[keyof typeof NotificationKind];

export const ReminderStatus = {
  PENDING: 'PENDING',
  SENT: 'SENT',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type ReminderStatus = (typeof ReminderStatus)[keyof typeof ReminderStatus];
/** The states a reminder ends in (one outcome each, first one wins). */
export type ReminderOutcomeStatus = Exclude<ReminderStatus, 'PENDING'>;

/** Why a reminder was cancelled or failed (the `reason` of a ScheduledNotification). */
export const ReminderReason = {
  Unliked: 'unliked',
  PreferenceOff: 'preference-off',
  PreferencesChanged: 'preferences-changed',
  Rescheduled: 'rescheduled',
  ConcertCancelled: 'concert-cancelled',
  ConcertDeleted: 'concert-deleted',
  AccountDeleted: 'account-deleted',
  /** Its event had passed when it could be sent (e.g. everything was down at fire time). */
  Missed: 'missed',
} as const;
export type ReminderReason = (typeof ReminderReason)[keyof typeof ReminderReason];

export interface ReminderPreferences {
  ticketOpen: boolean;
  concertStart: boolean;
  ticketOpenLeadMinutes: number;
  concertStartLeadMinutes: number;
}

/**
 * What a user who never saved preferences gets: what `User.notificationPreferences` shows and
 * what scheduling applies (the one copy).
 */
export const DEFAULT_REMINDER_PREFERENCES: Readonly<ReminderPreferences> = Object.freeze({
  ticketOpen: true,
  concertStart: true,
  ticketOpenLeadMinutes: 60,
  concertStartLeadMinutes: 120,
});

/** A user's preferences from what is stored (the defaults for anything never saved). */
export function preferencesOf(doc: Partial<ReminderPreferences> | null | undefined): ReminderPreferences {
  const d = DEFAULT_REMINDER_PREFERENCES;
  return {
    ticketOpen: doc?.ticketOpen ?? d.ticketOpen,
    concertStart: doc?.concertStart ?? d.concertStart,
    ticketOpenLeadMinutes: doc?.ticketOpenLeadMinutes ?? d.ticketOpenLeadMinutes,
    concertStartLeadMinutes: doc?.concertStartLeadMinutes ?? d.concertStartLeadMinutes,
  };
}

/** What the rules need of a concert (the concerts domain's `ReminderConcert` has this shape). */
export interface ReminderConcertFacts {
  id: string;
  title: string;
  startsAt: Date;
  ticketOpenAt: Date | null;
  /** Stored status: only CANCELLED matters (it is final). */
  status: string;
}

/** A reminder as the rules see it. Ids are hex strings. */
export interface ReminderFacts {
  userId: string;
  concertId: string;
  kind: NotificationKind;
  fireAt: Date;
  /** The moment it reminds of (ticket sales, show start); null for a cancellation notice. */
  eventAt: Date | null;
}

/** A reminder to schedule: its deterministic id, what it is about and the concert title for its text. */
export interface PlannedReminder extends ReminderFacts {
  _id: ObjectId;
  title: string;
}

const MINUTE = 60_000;

/**
 * The id of a reminder: the first 12 bytes of SHA-256 over (kind, concert, user, fire time), as
 * an ObjectId (24 hex digits, the graph's one id spelling). The same reminder always gets the
 * same id, so a replayed event or a repeated reconciliation inserts nothing new; a different
 * fire time (the concert or the lead time moved) is a different reminder. A cancellation notice
 * has no fire time in its id: one per (fan, concert), ever.
 */
export function reminderIdOf({ userId, concertId, kind, fireAt }: Pick<ReminderFacts, 'userId' | 'concertId' | 'kind' | 'fireAt'>): ObjectId {
  const time = kind === NotificationKind.CONCERT_CANCELLED ? 0 : fireAt.getTime();
  return new ObjectId(createHash('sha256').update(`${kind}|${concertId}|${userId}|${time}`).digest().subarray(0, 12));
}

/**
 * The BullMQ job id of a reminder: its id and its fire time (`<24 hex>-<ms>`, `-0` for a
 * cancellation notice). BullMQ refuses custom ids with `:` (and integer ids); this has neither.
 * Adding a job whose id exists is a no-op, so scheduling twice queues one job.
 */
export function reminderJobId(reminder: Pick<ReminderFacts, 'kind' | 'fireAt'> & { _id: ObjectId | string }): string {
  const id = typeof reminder._id === 'string' ? reminder._id : reminder._id.toHexString();
  return `${id}-${reminder.kind === NotificationKind.CONCERT_CANCELLED ? 0 : reminder.fireAt.getTime()}`;
}

/**
 * The reminders a fan of `concert` should have now, from their preferences: `TICKET_OPEN` at
 * `ticketOpenAt − lead` and `CONCERT_START` at `startsAt − lead`, each only while its event is
 * still ahead (a fire time already past with the event ahead fires at once). None for a
 * cancelled concert.
 */
export function planReminders(userId: string, concert: ReminderConcertFacts | null, preferences: ReminderPreferences, now: Date): PlannedReminder[] {
  if (!concert || concert.status === 'CANCELLED') return [];
  const planned: PlannedReminder[] = [];
  const add = (kind: NotificationKind, eventAt: Date, leadMinutes: number) => {
    if (eventAt.getTime() <= now.getTime()) return;
    const fireAt = new Date(eventAt.getTime() - leadMinutes * MINUTE);
    const facts = { userId, concertId: concert.id, kind, fireAt, eventAt };
    planned.push({ _id: reminderIdOf(facts), ...facts, title: concert.title });
  };
  if (preferences.ticketOpen && concert.ticketOpenAt) add(NotificationKind.TICKET_OPEN, concert.ticketOpenAt, preferences.ticketOpenLeadMinutes);
  if (preferences.concertStart) add(NotificationKind.CONCERT_START, concert.startsAt, preferences.concertStartLeadMinutes);
  return planned;
}

/** The one "cancelled" notice of a fan: due at once. */
export function planCancellationNotice(userId: string, concertId: string, title: string, now: Date): PlannedReminder {
  const facts = { userId, concertId, kind: NotificationKind.CONCERT_CANCELLED, fireAt: now, eventAt: null };
  return { _id: reminderIdOf(facts), ...facts, title };
}

/** What is true now about a reminder's fan and concert, read when it fires (or when a sync checks it). */
export interface CurrentFacts {
  /** null: the concert no longer exists. */
  concert: ReminderConcertFacts | null;
  liked: boolean;
  preferences: ReminderPreferences;
  userDeleted: boolean;
}

export type Verdict =
  | { action: 'send' }
  | { action: 'cancel'; reason: ReminderReason }
  /** The event passed before it could be sent. */
  | { action: 'fail'; reason: typeof ReminderReason.Missed };

const sameTime = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());

/**
 * Whether a reminder is still wanted now: still liked, its preference still on with the same lead
 * time, the concert not cancelled or deleted and its date unchanged. A wanted reminder whose
 * event has passed has been missed. A cancellation notice is wanted as long as the account exists.
 */
export function verdictFor(reminder: ReminderFacts, facts: CurrentFacts, now: Date): Verdict {
  if (facts.userDeleted) return { action: 'cancel', reason: ReminderReason.AccountDeleted };
  if (reminder.kind === NotificationKind.CONCERT_CANCELLED) return { action: 'send' };
  const { concert, preferences } = facts;
  if (!concert) return { action: 'cancel', reason: ReminderReason.ConcertDeleted };
  if (concert.status === 'CANCELLED') return { action: 'cancel', reason: ReminderReason.ConcertCancelled };
  if (!facts.liked) return { action: 'cancel', reason: ReminderReason.Unliked };
  const ticket = reminder.kind === NotificationKind.TICKET_OPEN;
  if (!(ticket ? preferences.ticketOpen : preferences.concertStart)) return { action: 'cancel', reason: ReminderReason.PreferenceOff };
  const eventAt = ticket ? concert.ticketOpenAt : concert.startsAt;
  if (!sameTime(eventAt, reminder.eventAt)) return { action: 'cancel', reason: ReminderReason.Rescheduled };
  const lead = ticket ? preferences.ticketOpenLeadMinutes : preferences.concertStartLeadMinutes;
  if (reminder.fireAt.getTime() !== eventAt!.getTime() - lead * MINUTE) return { action: 'cancel', reason: ReminderReason.PreferencesChanged };
  if (eventAt!.getTime() <= now.getTime()) return { action: 'fail', reason: ReminderReason.Missed };
  return { action: 'send' };
}

/** "45 minutes", "2 hours", "3 days": how far ahead an event is, for a push body. */
export function howLongUntil(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 90) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The title and body of a reminder's push and in-app notification, written when it is sent. */
export function notificationText(kind: NotificationKind, concertTitle: string, eventAt: Date | null, now: Date): { title: string; body: string } {
  const name = clip(concertTitle, 120);
  const until = eventAt ? howLongUntil(eventAt.getTime() - now.getTime()) : '';
  switch (kind) {
    case NotificationKind.TICKET_OPEN:
      return { title: `Tickets open soon: ${name}`, body: `Ticket sales for ${name} open in ${until}.` };
    case NotificationKind.CONCERT_START:
      return { title: `${name} starts soon`, body: `${name} starts in ${until}.` };
    case NotificationKind.CONCERT_CANCELLED:
      return { title: `${name} was cancelled`, body: `${name} has been cancelled. It is no longer in your reminders.` };
  }
}

/** How long finished reminders and their outcomes are kept after their event (or creation). */
export const REMINDER_RETENTION_MS = 30 * 24 * 3600_000;
/** How long in-app notifications (and whether they were read) are kept. */
export const HISTORY_RETENTION_MS = 90 * 24 * 3600_000;
/** How long the push ledger remembers a (reminder, device) push. */
export const LEDGER_RETENTION_MS = 7 * 24 * 3600_000;

/** When a reminder (and its outcome) may be pruned. */
export const reminderExpiry = (reminder: Pick<ReminderFacts, 'eventAt' | 'fireAt'>) =>
  new Date(Math.max(reminder.eventAt?.getTime() ?? 0, reminder.fireAt.getTime()) + REMINDER_RETENTION_MS);
