import { GraphQLError } from 'graphql';

/** Stable `extensions.code` values clients may switch on. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'ACCOUNT_SUSPENDED'
  | 'EMAIL_NOT_VERIFIED'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

/** HTTP status of each code: the router answers operations refused before execution (rate limits) with it. */
export const httpStatusOf: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ACCOUNT_SUSPENDED: 403,
  EMAIL_NOT_VERIFIED: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

abstract class AppError extends GraphQLError {
  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'You must be signed in to do this.') {
    super(message, 'UNAUTHENTICATED');
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this.') {
    super(message, 'FORBIDDEN');
  }
}

/** The member is muted in a chat room until `mutedUntil`: FORBIDDEN, with the time left in the message. */
export class MutedError extends AppError {
  constructor(mutedUntil: Date, now = new Date()) {
    const minutes = Math.max(1, Math.ceil((mutedUntil.getTime() - now.getTime()) / 60_000));
    super(`You are muted in this room for ${minutes} more minute${minutes === 1 ? '' : 's'} (until ${mutedUntil.toISOString()}).`, 'FORBIDDEN', {
      mutedUntil: mutedUntil.toISOString(),
    });
  }
}

/** The account is suspended by staff: no sign-in or sign-up with its email until `until` (null: indefinitely). */
export class AccountSuspendedError extends AppError {
  constructor(until: Date | null) {
    super(until ? `This account is suspended until ${until.toISOString()}.` : 'This account is suspended.', 'ACCOUNT_SUSPENDED', {
      until: until ? until.toISOString() : null,
    });
  }
}

/** The deployment requires a verified email (REQUIRE_VERIFIED_EMAIL) for this, and the viewer's is not verified yet. */
export class EmailNotVerifiedError extends AppError {
  constructor(message = 'Verify your email address to do this: follow the link we sent you, or ask for a new one.') {
    super(message, 'EMAIL_NOT_VERIFIED');
  }
}

export class BadUserInputError extends AppError {
  /** `field` names the offending input, e.g. `input.email`. */
  constructor(message: string, field?: string) {
    super(message, 'BAD_USER_INPUT', field ? { field } : {});
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super(id ? `${what} ${id} was not found.` : `${what} was not found.`, 'NOT_FOUND');
  }
}

export class ConflictError extends AppError {
  constructor(message: string, field?: string) {
    super(message, 'CONFLICT', field ? { field } : {});
  }
}

export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterSeconds: number) {
    super(message, 'RATE_LIMITED', { retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)) });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string) {
    super(message, 'SERVICE_UNAVAILABLE');
  }
}
