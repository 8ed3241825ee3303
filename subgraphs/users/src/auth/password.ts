import { hash, verify } from '@node-rs/argon2';
import { BadUserInputError } from '@stagelives/schema';

/** Argon2id with the library's OWASP-aligned defaults (19 MiB, t=2, p=1). */
export const hashPassword = (password: string) => hash(password);

// Verifying against this when no user matches keeps "no such email" as slow as "wrong password".
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$dTJgeJtIzgCGROhtj9kfZA$/74KsJlpXWYX9Y9+RguZQzZqWYRjXpb7WAuyICVxmsE';

/** How much of a typed password is hashed to check it: bounds the work a huge input causes. */
export const PASSWORD_INPUT_MAX = 1024;

/** Whether `password` matches; false without a hash (as slowly as a real check) or on a malformed hash. */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  try {
    return (await verify(passwordHash ?? DUMMY_HASH, password.slice(0, PASSWORD_INPUT_MAX))) && passwordHash !== null;
  } catch {
    return false;
  }
}

/** NIST 800-63B style: length matters (in code points, spaces count), composition rules do not. */
export function checkNewPassword(password: string, field = 'password'): string {
  const length = [...password].length;
  if (length < 8) throw new BadUserInputError(`${field} must be at least 8 characters.`, field);
  if (length > 128) throw new BadUserInputError(`${field} must be at most 128 characters.`, field);
  return password;
}
