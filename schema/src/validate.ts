import { BadUserInputError } from './errors.js';

/** Edge validation: every helper throws BAD_USER_INPUT naming the field, or returns the clean value. */

const EMAIL = /^[^\s@"<>()[\]\\,;:]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function cleanEmail(value: string, field = 'email'): string {
  const email = value.trim();
  if (email.length > 254 || !EMAIL.test(email)) throw new BadUserInputError(`${field} is not a valid email address.`, field);
  return email;
}

/** Trims and checks a text's length in characters (code points). */
export function cleanText(value: string, { field, min = 1, max }: { field: string; min?: number; max: number }): string {
  const text = value.trim();
  const length = [...text].length;
  if (length < min) throw new BadUserInputError(min === 1 ? `${field} must not be empty.` : `${field} must be at least ${min} characters.`, field);
  if (length > max) throw new BadUserInputError(`${field} must be at most ${max} characters.`, field);
  return text;
}

/** An absolute http(s) URL of sane length. */
export function cleanHttpUrl(value: string, field = 'url'): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BadUserInputError(`${field} is not a valid URL.`, field);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || text.length > 2048 || !url.hostname) {
    throw new BadUserInputError(`${field} must be an http(s) URL.`, field);
  }
  return url.toString();
}

/** Escapes user text so it matches literally inside a regular expression (never a pattern). */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

export function cleanDate(value: Date, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new BadUserInputError(`${field} is not a valid date-time.`, field);
  return value;
}
