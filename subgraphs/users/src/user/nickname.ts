import { BadUserInputError, cleanText } from '@stagelives/schema';

const NICKNAME = /^[\p{L}\p{N}_.-]+$/u;
const NOT_NICKNAME = /[^\p{L}\p{N}_.-]+/gu;

/** Longest nickname derived from free text: room is left for a numeric suffix within the 30 allowed. */
export const DERIVED_NICKNAME_MAX = 24;

/** A nickname a person chose: trimmed, 2 to 30 characters (code points), letters, digits, '_', '.' and '-'. */
export function cleanNickname(value: string, field = 'nickname'): string {
  const nickname = cleanText(value, { field, min: 2, max: 30 });
  if (!NICKNAME.test(nickname)) {
    throw new BadUserInputError(`${field} may contain only letters, digits, '_', '.' and '-'.`, field);
  }
  return nickname;
}

/** The key nicknames are unique by (FerretDB has no collation). */
export const nicknameKey = (nickname: string): string => nickname.toLowerCase();

const firstCodePoints = (text: string, n: number) => [...text].slice(0, n).join('');

/**
 * A nickname candidate from free text (a provider's name or an email's local part): NFKC,
 * only the allowed characters, at most 24 code points; 'fan' when fewer than 2 remain.
 */
export function nicknameFrom(text: string | null | undefined): string {
  const base = firstCodePoints((text ?? '').normalize('NFKC').replace(NOT_NICKNAME, ''), DERIVED_NICKNAME_MAX);
  return [...base].length >= 2 ? base : 'fan';
}

/** The candidate tried after `base` was taken: its first 24 code points and a number. */
export function numberedNickname(base: string, n: number): string {
  return `${firstCodePoints(base, DERIVED_NICKNAME_MAX)}${n}`;
}
