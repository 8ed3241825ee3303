import type { ObjectId } from 'mongodb';
import type { NotificationKind, ReminderFacts } from './reminder.rules.js';
import type { TraceCarrier } from '@stagelives/schema';

/** A reminder as the send queue takes it. */
export type QueueableReminder = ReminderFacts & { _id: ObjectId; title: string };

/** What the job of a due reminder carries: the reminder itself, so sending reads no reminder document. */
export interface DueReminder {
  reminderId: string;
  userId: string;
  concertId: string;
  kind: NotificationKind;
  /** ms since the epoch */
  fireAt: number;
  eventAt: number | null;
  /** The concert's title at scheduling (the text of a deleted concert's notice). */
  title: string;
  /** When it was queued: fire-time checks never use cached facts older than this. */
  queuedAt: number;
  /** The trace that scheduled it (a like's): the push's spans link to it. Absent when not traced. */
  trace?: TraceCarrier;
}

/**
 * The delayed jobs of reminders, one per reminder (its deterministic `reminderJobId`), due at its
 * fire time. The workers implement it over their BullMQ send queue; this domain decides which
 * reminders get one.
 */
export interface ReminderJobs {
  /** Queues the jobs of these reminders (an existing job id is left as it is). */
  enqueue(reminders: readonly QueueableReminder[], now: Date): Promise<void>;
  /** Removes the jobs of these reminders (best effort: a job that still runs finds the outcome). */
  remove(reminders: ReadonlyArray<Pick<QueueableReminder, '_id' | 'kind' | 'fireAt'>>): Promise<void>;
  /** The reminders among these whose job does not exist (Redis lost it). */
  missing<R extends Pick<QueueableReminder, '_id' | 'kind' | 'fireAt'>>(reminders: readonly R[]): Promise<R[]>;
}
