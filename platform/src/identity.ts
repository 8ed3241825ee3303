import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header the router uses to tell subgraphs who the viewer is. Clients' copies are dropped. */
export const IDENTITY_HEADER = 'x-stagelives-identity';
/** Header carrying the request id from the router into every subgraph. */
export const REQUEST_ID_HEADER = 'x-request-id';

export type Role = 'USER' | 'ADMIN';

export interface Identity {
  userId: string;
  roles: Role[];
  /** Hash of the session id (never the session token itself). */
  sessionId: string;
}

interface SignedPayload extends Identity {
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** The request id the identity was issued for. */
  rid: string;
}

export type IdentityVerdict =
  | { ok: true; identity: Identity }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad-signature' | 'expired' | 'wrong-request' };

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/**
 * Signs an identity for one request. The signature binds the request id and a short
 * expiry, so a captured header is useless for another request or a minute later.
 */
export function signIdentity(identity: Identity, { secret, requestId, ttlSeconds = 30, now = Date.now() }: { secret: string; requestId: string; ttlSeconds?: number; now?: number }): string {
  const payload: SignedPayload = { ...identity, rid: requestId, exp: Math.floor(now / 1000) + ttlSeconds };
  const body = b64(JSON.stringify(payload));
  return `${body}.${b64(mac(secret, body))}`;
}

/** Verifies a signed identity header value; never throws. */
export function verifyIdentity(header: string | undefined, { secret, requestId, now = Date.now() }: { secret: string; requestId: string | undefined; now?: number }): IdentityVerdict {
  if (!header) return { ok: false, reason: 'missing' };
  const [body, sig, extra] = header.split('.');
  if (!body || !sig || extra !== undefined) return { ok: false, reason: 'malformed' };
  // Compared as canonical text, so no second spelling of the same bytes is accepted either.
  const expected = Buffer.from(b64(mac(secret, body)));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  let payload: SignedPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SignedPayload;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof payload.exp !== 'number' || payload.exp * 1000 < now) return { ok: false, reason: 'expired' };
  if (!requestId || payload.rid !== requestId) return { ok: false, reason: 'wrong-request' };
  if (typeof payload.userId !== 'string' || !Array.isArray(payload.roles) || typeof payload.sessionId !== 'string') {
    return { ok: false, reason: 'malformed' };
  }
  return { ok: true, identity: { userId: payload.userId, roles: payload.roles, sessionId: payload.sessionId } };
}
