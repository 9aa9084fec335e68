/**
 * What the domain throws when a request cannot be served: the reason and a stable code, no HTTP.
 * The edge (functions/shared/http/errors.ts, httpErrorOf) gives each kind its status.
 */
export abstract class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** The request contradicts what is stored (a taken email, a reused idempotency key); `code` says which. */
export class ConflictError extends DomainError {}

/** One error for an unknown email and a wrong password: a caller must not tell them apart. */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('INVALID_CREDENTIALS', 'Invalid email or password');
  }
}

/** A page token this list did not hand out (garbage, another list's, or tampered with). */
export class InvalidPageTokenError extends DomainError {
  constructor() {
    super('VALIDATION_FAILED', 'not a valid page token');
  }
}

/** The caller is known but the thing is not theirs (another user's session, say). */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** A refresh token that cannot be used: spent, revoked, expired, unknown or malformed (one answer for all). */
export class InvalidRefreshTokenError extends DomainError {
  constructor() {
    super('INVALID_REFRESH_TOKEN', 'Invalid refresh token');
  }
}

/** Too many failed log-ins for this email or from this address: try again after `retryAfterSeconds`. */
export class TooManyAttemptsError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('TOO_MANY_ATTEMPTS', 'Too many failed log-in attempts; try again later');
  }
}
