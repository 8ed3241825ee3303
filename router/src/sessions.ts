import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import type { IncomingHttpHeaders } from 'node:http';

export interface SessionCookieOptions {
  production: boolean;
  maxAgeSeconds: number;
}

/** `__Host-` in production: the browser then insists on Secure, path=/ and no Domain. */
export const sessionCookieName = (production: boolean) => (production ? '__Host-sl_session' : 'sl_session');

/** The session token a client presents: `Authorization: Bearer` wins over the cookie. */
export function sessionTokenFrom(headers: IncomingHttpHeaders, production: boolean): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+([A-Za-z0-9_-]{16,128})\s*$/i.exec(auth);
    return match?.[1] ?? null;
  }
  if (typeof headers.cookie === 'string') {
    const value = parseCookie(headers.cookie)[sessionCookieName(production)];
    return value ?? null;
  }
  return null;
}

export function sessionCookie(token: string, { production, maxAgeSeconds }: SessionCookieOptions): string {
  return serializeCookie(sessionCookieName(production), token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: production,
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

export function clearedSessionCookie({ production }: Pick<SessionCookieOptions, 'production'>): string {
  return serializeCookie(sessionCookieName(production), '', {
    httpOnly: true,
    sameSite: 'lax',
    secure: production,
    path: '/',
    maxAge: 0,
    expires: new Date(0),
  });
}
