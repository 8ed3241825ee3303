import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '@stagelives/schema';
import { DEFAULT_REMINDER_PREFERENCES } from '../src/reminder/reminder.rules.js';
import { cleanDeviceToken, cleanLeadMinutes, preferenceChanges } from '../src/settings/settings.service.js';
import { NotificationPreferencesType } from '../src/settings/settings.type.js';

/** Runs `fn`, which must throw a BadUserInputError, and returns that error's message and field. */
const refusal = (fn: () => unknown): { message: string; field: unknown } => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BadUserInputError);
    return { message: (error as Error).message, field: (error as BadUserInputError).extensions.field };
  }
  throw new Error('expected a refusal');
};

describe('cleanDeviceToken', () => {
  it('should accept 1 to 4096 printable ASCII characters as they are', () => {
    for (const token of ['x', 'fcm-abc:APA91b_-x.y', '~!#$%&*()', 'a'.repeat(4096)]) expect(cleanDeviceToken(token)).toBe(token);
  });

  it('should refuse empty, too long, spaces, control and non-ASCII characters', () => {
    for (const token of ['', 'a'.repeat(4097), 'has space', ' padded', 'tab\t', 'line\n', 'del\x7f', 'nul\0', 'é', 'tokén', '🎸']) {
      expect(refusal(() => cleanDeviceToken(token))).toEqual({ message: 'token is not a valid device token.', field: 'token' });
    }
  });
});

describe('cleanLeadMinutes', () => {
  it('should leave a missing value unchanged', () => {
    expect(cleanLeadMinutes(null, 'f')).toBeUndefined();
    expect(cleanLeadMinutes(undefined, 'f')).toBeUndefined();
  });

  it('should accept whole minutes from 5 to 10080 (one week)', () => {
    expect(cleanLeadMinutes(5, 'f')).toBe(5);
    expect(cleanLeadMinutes(60, 'f')).toBe(60);
    expect(cleanLeadMinutes(10_080, 'f')).toBe(10_080);
  });

  it('should refuse the rest, naming the field', () => {
    for (const value of [4, 0, -5, 10_081, 5.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(refusal(() => cleanLeadMinutes(value, 'input.ticketOpenLeadMinutes'))).toEqual({
        message: 'input.ticketOpenLeadMinutes must be between 5 and 10080 minutes.',
        field: 'input.ticketOpenLeadMinutes',
      });
    }
  });
});

describe('preferenceChanges', () => {
  it('should change only what the input sets (null is "unchanged", false is a value)', () => {
    expect(preferenceChanges({})).toEqual({});
    expect(preferenceChanges({ ticketOpen: null, concertStart: null, ticketOpenLeadMinutes: null, concertStartLeadMinutes: null })).toEqual({});
    expect(preferenceChanges({ ticketOpen: false })).toEqual({ ticketOpen: false });
    expect(preferenceChanges({ concertStart: true, concertStartLeadMinutes: 30 })).toEqual({ concertStart: true, concertStartLeadMinutes: 30 });
    expect(preferenceChanges({ ticketOpen: true, concertStart: false, ticketOpenLeadMinutes: 5, concertStartLeadMinutes: 10_080 })).toEqual({
      ticketOpen: true,
      concertStart: false,
      ticketOpenLeadMinutes: 5,
      concertStartLeadMinutes: 10_080,
    });
  });

  it('should refuse an invalid lead time naming its input field', () => {
    expect(refusal(() => preferenceChanges({ ticketOpenLeadMinutes: 0 })).field).toBe('input.ticketOpenLeadMinutes');
    expect(refusal(() => preferenceChanges({ ticketOpen: false, concertStartLeadMinutes: 20_000 })).field).toBe('input.concertStartLeadMinutes');
  });
});

describe('NotificationPreferencesType.from (stored preferences as the graph shows them)', () => {
  it('should show the defaults to a user who never saved any', () => {
    expect({ ...NotificationPreferencesType.from(null) }).toEqual({
      ticketOpen: true,
      concertStart: true,
      ticketOpenLeadMinutes: 60,
      concertStartLeadMinutes: 120,
    });
    expect({ ...NotificationPreferencesType.from(undefined) }).toEqual({ ...DEFAULT_REMINDER_PREFERENCES });
  });

  it('should show what is stored, false and all, and only the preference fields', () => {
    const stored = {
      _id: '0123456789abcdef01234567',
      updatedAt: new Date(),
      ticketOpen: false,
      concertStart: false,
      ticketOpenLeadMinutes: 5,
      concertStartLeadMinutes: 10_080,
    };
    expect({ ...NotificationPreferencesType.from(stored) }).toEqual({
      ticketOpen: false,
      concertStart: false,
      ticketOpenLeadMinutes: 5,
      concertStartLeadMinutes: 10_080,
    });
    expect({ ...NotificationPreferencesType.from({ ticketOpen: false }) }).toEqual({ ...DEFAULT_REMINDER_PREFERENCES, ticketOpen: false });
  });

  it('should never let a caller change the defaults', () => {
    const shown = NotificationPreferencesType.from(null);
    shown.ticketOpen = false;
    expect(DEFAULT_REMINDER_PREFERENCES.ticketOpen).toBe(true);
    expect(Object.isFrozen(DEFAULT_REMINDER_PREFERENCES)).toBe(true);
  });
});
