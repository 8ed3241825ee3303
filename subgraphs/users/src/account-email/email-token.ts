import { createHash, randomBytes } from 'node:crypto';
import type { EmailTokenDocument } from '../user/user.type.js';

/** The token of a link sent by mail: 256 random bits, base64url (43 characters). */
const newEmailToken = (): string => randomBytes(32).toString('base64url');

/** The only form a token is stored in. */
export const hashEmailToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** A new token in clear (for the link) and what is stored of it. */
export function issueEmailToken(validMs: number, now = Date.now()): { token: string; stored: EmailTokenDocument } {
  const token = newEmailToken();
  return { token, stored: { tokenHash: hashEmailToken(token), expiresAt: new Date(now + validMs) } };
}
