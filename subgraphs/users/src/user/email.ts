import { cleanEmail } from '@stagelives/schema';

/**
 * The key an email is unique by and looked up under (FerretDB has no collation): trimmed,
 * lower-cased, at most 254 characters. Log-in applies it to whatever was typed.
 */
export const emailKey = (email: string): string => email.trim().toLowerCase().slice(0, 254);

/** A new account's email as given (trimmed, validated) and its key. */
export function cleanNewEmail(value: string, field = 'email'): { email: string; emailLower: string } {
  const email = cleanEmail(value, field);
  return { email, emailLower: emailKey(email) };
}
