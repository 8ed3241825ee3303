import { createHmac, timingSafeEqual } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The router ↔ subgraph protocol, in one place both sides import: the headers they exchange,
 * the signed identity, and how unexpected errors are masked before a client sees them.
 */

/** Header the router uses to tell subgraphs who the viewer is. Clients' copies are dropped. */
export const IDENTITY_HEADER = 'x-stagelives-identity';
/** Header carrying the request id from the router into every subgraph. */
export const REQUEST_ID_HEADER = 'x-request-id';
/** Response header a subgraph sets to start a session: its value is the new session token. */
const SESSION_SET_HEADER = 'x-stagelives-session-set';
/** Response header a subgraph sets to end the client's session (the router clears the cookie). */
const SESSION_CLEAR_HEADER = 'x-stagelives-session-clear';

/** A session change a subgraph reports to the router, which turns it into `Set-Cookie`. */
export type SessionChange = { kind: 'set'; token: string } | { kind: 'clear' };

/** The response header that carries a session change. */
export function sessionChangeHeader(change: SessionChange): [string, string] {
  return change.kind === 'set' ? [SESSION_SET_HEADER, change.token] : [SESSION_CLEAR_HEADER, '1'];
}

/** Reads a session change back from a subgraph's response headers. */
export function sessionChangeFrom(headers: { get(name: string): string | null | undefined }): SessionChange | null {
  const token = headers.get(SESSION_SET_HEADER);
  if (token) return { kind: 'set', token };
  return headers.get(SESSION_CLEAR_HEADER) ? { kind: 'clear' } : null;
}

/** What a user may do: staff are moderators and admins (admins may do everything). */
export type Role = 'USER' | 'MODERATOR' | 'ADMIN';

/** Roles that make a user staff: they moderate (reports, hidden content, suspensions, rooms). */
export const STAFF_ROLES: readonly Role[] = ['MODERATOR', 'ADMIN'];

export interface Identity {
  userId: string;
  roles: Role[];
  /** Hash of the session id (never the session token itself). */
  sessionId: string;
  /** Whether the account's email address is verified (absent: not known to be, e.g. a session from before verification existed). */
  emailVerified?: boolean;
}

interface SignedPayload extends Identity {
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** The request id the identity was issued for. */
  rid: string;
}

export type IdentityVerdict = { ok: true; identity: Identity } | { ok: false; reason: 'missing' | 'malformed' | 'bad-signature' | 'expired' | 'wrong-request' };

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/**
 * Signs an identity for one request. The signature binds the request id and a short
 * expiry, so a captured header is useless for another request or a minute later.
 */
export function signIdentity(
  identity: Identity,
  { secret, requestId, ttlSeconds = 30, now = Date.now() }: { secret: string; requestId: string; ttlSeconds?: number; now?: number },
): string {
  const payload: SignedPayload = { ...identity, rid: requestId, exp: Math.floor(now / 1000) + ttlSeconds };
  const body = b64(JSON.stringify(payload));
  return `${body}.${b64(mac(secret, body))}`;
}

/** Verifies a signed identity header value; never throws. */
export function verifyIdentity(
  header: string | undefined,
  { secret, requestId, now = Date.now() }: { secret: string; requestId: string | undefined; now?: number },
): IdentityVerdict {
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
  const identity: Identity = { userId: payload.userId, roles: payload.roles, sessionId: payload.sessionId };
  if (typeof payload.emailVerified === 'boolean') identity.emailVerified = payload.emailVerified;
  return { ok: true, identity };
}

/** Where masked errors are reported (a pino logger fits). */
export interface ErrorLog {
  error(details: object, message: string): void;
}

/**
 * `formatError` of the router and every subgraph: an unexpected error (not one of ours, see
 * errors.ts) reaches clients as "Internal server error"; its details go to the log only.
 */
export function maskUnexpectedErrors(log: ErrorLog, debug: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? error.originalError : undefined;
    const unexpected = formatted.extensions?.code === 'INTERNAL_SERVER_ERROR' && original && !(original instanceof GraphQLError);
    if (!unexpected) return formatted;
    log.error({ err: original }, 'unexpected error in resolver');
    return debug ? formatted : { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
