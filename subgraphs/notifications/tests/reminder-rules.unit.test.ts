import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REMINDER_PREFERENCES,
  NotificationKind,
  howLongUntil,
  notificationText,
  planCancellationNotice,
  planReminders,
  preferencesOf,
  reminderIdOf,
  reminderJobId,
  verdictFor,
  type CurrentFacts,
  type ReminderConcertFacts,
} from '../src/reminder/reminder.rules.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = new Date('2030-06-01T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const USER = '65a000000000000000000001';
const concert = (over: Partial<ReminderConcertFacts> = {}): ReminderConcertFacts => ({
  id: '65a0000000000000000000c1',
  title: 'Spring Tour',
  startsAt: at(48 * HOUR),
  ticketOpenAt: at(24 * HOUR),
  status: 'UPCOMING',
  ...over,
});

describe('reminder rules', () => {
  it('should plan a ticket-open and a start reminder from the preferences’ lead times', () => {
    const planned = planReminders(USER, concert(), { ...DEFAULT_REMINDER_PREFERENCES, ticketOpenLeadMinutes: 30 }, NOW);
    expect(planned.map((r) => [r.kind, r.fireAt.toISOString(), r.eventAt?.toISOString()])).toEqual([
      ['TICKET_OPEN', at(24 * HOUR - 30 * MINUTE).toISOString(), at(24 * HOUR).toISOString()],
      ['CONCERT_START', at(46 * HOUR).toISOString(), at(48 * HOUR).toISOString()],
    ]);
    expect(planned[0]!._id.toHexString()).toMatch(/^[0-9a-f]{24}$/);
  });

  it('should plan nothing for a cancelled or missing concert, a preference turned off, or an event that passed; and keep a fire time that passed while the event is ahead', () => {
    expect(planReminders(USER, concert({ status: 'CANCELLED' }), preferencesOf(null), NOW)).toEqual([]);
    expect(planReminders(USER, null, preferencesOf(null), NOW)).toEqual([]);
    expect(planReminders(USER, concert(), { ...DEFAULT_REMINDER_PREFERENCES, ticketOpen: false, concertStart: false }, NOW)).toEqual([]);
    expect(planReminders(USER, concert({ ticketOpenAt: at(-MINUTE) }), preferencesOf(null), NOW).map((r) => r.kind)).toEqual(['CONCERT_START']);
    const soon = planReminders(USER, concert({ ticketOpenAt: null, startsAt: at(30 * MINUTE) }), preferencesOf(null), NOW);
    expect(soon.map((r) => [r.kind, r.fireAt < NOW])).toEqual([['CONCERT_START', true]]);
  });

  it('should derive the same id for the same reminder and another for another fire time; one notice id per fan and concert', () => {
    const facts = { userId: USER, concertId: concert().id, kind: NotificationKind.TICKET_OPEN, fireAt: at(HOUR) };
    expect(reminderIdOf(facts)).toEqual(reminderIdOf({ ...facts }));
    expect(reminderIdOf(facts)).not.toEqual(reminderIdOf({ ...facts, fireAt: at(2 * HOUR) }));
    expect(reminderIdOf(facts)).not.toEqual(reminderIdOf({ ...facts, kind: NotificationKind.CONCERT_START }));
    expect(planCancellationNotice(USER, concert().id, 't', at(0))._id).toEqual(planCancellationNotice(USER, concert().id, 't', at(HOUR))._id);
  });

  it('should make BullMQ job ids of the reminder and its fire time, without ":"', () => {
    const [ticket] = planReminders(USER, concert(), preferencesOf(null), NOW);
    expect(reminderJobId(ticket!)).toBe(`${ticket!._id.toHexString()}-${ticket!.fireAt.getTime()}`);
    expect(reminderJobId(planCancellationNotice(USER, concert().id, 't', NOW))).toMatch(/^[0-9a-f]{24}-0$/);
    expect(reminderJobId(ticket!)).not.toContain(':');
  });

  it('should judge a reminder at fire time: cancelled with the first reason that applies, missed when its event passed, else sent', () => {
    const [ticket, start] = planReminders(USER, concert(), preferencesOf(null), NOW);
    const wanted: CurrentFacts = { concert: concert(), liked: true, preferences: preferencesOf(null), userDeleted: false };
    expect(verdictFor(ticket!, wanted, NOW)).toEqual({ action: 'send' });
    expect(verdictFor(ticket!, { ...wanted, userDeleted: true }, NOW)).toEqual({ action: 'cancel', reason: 'account-deleted' });
    expect(verdictFor(ticket!, { ...wanted, concert: null }, NOW)).toEqual({ action: 'cancel', reason: 'concert-deleted' });
    expect(verdictFor(ticket!, { ...wanted, concert: concert({ status: 'CANCELLED' }) }, NOW)).toEqual({ action: 'cancel', reason: 'concert-cancelled' });
    expect(verdictFor(ticket!, { ...wanted, liked: false }, NOW)).toEqual({ action: 'cancel', reason: 'unliked' });
    expect(verdictFor(ticket!, { ...wanted, preferences: { ...wanted.preferences, ticketOpen: false } }, NOW)).toEqual({
      action: 'cancel',
      reason: 'preference-off',
    });
    expect(verdictFor(ticket!, { ...wanted, concert: concert({ ticketOpenAt: at(25 * HOUR) }) }, NOW)).toEqual({ action: 'cancel', reason: 'rescheduled' });
    expect(verdictFor(start!, { ...wanted, preferences: { ...wanted.preferences, concertStartLeadMinutes: 15 } }, NOW)).toEqual({
      action: 'cancel',
      reason: 'preferences-changed',
    });
    expect(verdictFor(start!, wanted, at(49 * HOUR))).toEqual({ action: 'fail', reason: 'missed' });
    const notice = planCancellationNotice(USER, concert().id, 't', NOW);
    expect(verdictFor(notice, { ...wanted, concert: null, liked: false }, NOW)).toEqual({ action: 'send' });
    expect(verdictFor(notice, { ...wanted, userDeleted: true }, NOW)).toEqual({ action: 'cancel', reason: 'account-deleted' });
  });

  it('should write the push text, with how long until the event', () => {
    expect(howLongUntil(20_000)).toBe('less than a minute');
    expect(howLongUntil(MINUTE)).toBe('1 minute');
    expect(howLongUntil(60 * MINUTE)).toBe('60 minutes');
    expect(howLongUntil(2 * HOUR)).toBe('2 hours');
    expect(howLongUntil(72 * HOUR)).toBe('3 days');
    expect(notificationText('TICKET_OPEN', 'Spring Tour', at(HOUR), NOW)).toEqual({
      title: 'Tickets open soon: Spring Tour',
      body: 'Ticket sales for Spring Tour open in 60 minutes.',
    });
    expect(notificationText('CONCERT_START', 'Spring Tour', at(2 * HOUR), NOW)).toEqual({
      title: 'Spring Tour starts soon',
      body: 'Spring Tour starts in 2 hours.',
    });
    expect(notificationText('CONCERT_CANCELLED', 'x'.repeat(300), null, NOW).title).toHaveLength(120 + ' was cancelled'.length);
  });
});
