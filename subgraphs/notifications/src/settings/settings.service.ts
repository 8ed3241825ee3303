import { BadUserInputError } from '@stagelives/schema';
import type { ReminderPreferences } from '../reminder/reminder.rules.js';
import type { SettingsRepository } from './settings.repository.js';
import type { SettingsEvents } from './settings-events.js';
import { NotificationPreferencesType, type DevicePlatform, type NotificationPreferencesInput } from './settings.type.js';

/** A push token as FCM/APNs/Web Push issue them: 1 to 4096 printable ASCII characters, no spaces. */
const DEVICE_TOKEN = /^[\x21-\x7e]{1,4096}$/;

export function cleanDeviceToken(token: string, field = 'token'): string {
  if (!DEVICE_TOKEN.test(token)) throw new BadUserInputError(`${field} is not a valid device token.`, field);
  return token;
}

const LEAD_MINUTES_MIN = 5;
/** One week. */
const LEAD_MINUTES_MAX = 10_080;

/** A reminder lead time in whole minutes, 5 to 10080; null/undefined: unchanged. */
export function cleanLeadMinutes(value: number | null | undefined, field: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < LEAD_MINUTES_MIN || value > LEAD_MINUTES_MAX) {
    throw new BadUserInputError(`${field} must be between ${LEAD_MINUTES_MIN} and ${LEAD_MINUTES_MAX} minutes.`, field);
  }
  return value;
}

/** The preferences an update changes (null and absent fields change nothing); throws on invalid lead times. */
export function preferenceChanges(input: NotificationPreferencesInput): Partial<ReminderPreferences> {
  const changes: Partial<ReminderPreferences> = {};
  if (typeof input.ticketOpen === 'boolean') changes.ticketOpen = input.ticketOpen;
  if (typeof input.concertStart === 'boolean') changes.concertStart = input.concertStart;
  const ticketLead = cleanLeadMinutes(input.ticketOpenLeadMinutes, 'input.ticketOpenLeadMinutes');
  const startLead = cleanLeadMinutes(input.concertStartLeadMinutes, 'input.concertStartLeadMinutes');
  if (ticketLead !== undefined) changes.ticketOpenLeadMinutes = ticketLead;
  if (startLead !== undefined) changes.concertStartLeadMinutes = startLead;
  return changes;
}

/** A user's push tokens and reminder preferences. */
export class SettingsService {
  constructor(
    private readonly settings: SettingsRepository,
    /** Announces saved preferences (the workers reschedule); none in unit tests. */
    private readonly events?: SettingsEvents,
  ) {}

  /** A token belongs to one user at a time: registering it moves it to `userId`. */
  async registerDevice(userId: string, token: string, platform: DevicePlatform): Promise<void> {
    await this.settings.registerDevice(userId, cleanDeviceToken(token), platform);
  }

  /** Removes the token if it is the user's; someone else's token stays. */
  async unregisterDevice(userId: string, token: string): Promise<void> {
    await this.settings.unregisterDevice(userId, cleanDeviceToken(token));
  }

  /** Applies the changes to the user's current preferences (the defaults if none are stored) and returns the result. */
  async updatePreferences(userId: string, input: NotificationPreferencesInput): Promise<ReminderPreferences> {
    const changes = preferenceChanges(input);
    const [stored] = await this.settings.findPreferencesByUserIds([userId]);
    const next = { ...NotificationPreferencesType.from(stored), ...changes };
    await this.settings.savePreferences(userId, next);
    await this.events?.preferencesChanged(userId);
    return next;
  }
}
